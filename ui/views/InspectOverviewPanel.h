#pragma once
// The Inspect view's overview of a placement: the layers × heads grid of answer attention (click a head to
// select it), the bucket bars of the query row and the greedy answer.
#include <QWidget>

#include "core/probe/Inspection.h"

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

namespace needlescope {

class BucketBarsWidget;
class HeadGridWidget;

class InspectOverviewPanel : public QWidget {
    Q_OBJECT
  public:
    explicit InspectOverviewPanel(QWidget* parent = nullptr);

    HeadGridWidget* headGrid() const { return headGrid_; }
    BucketBarsWidget* bucketBars() const { return bucketBars_; }

    // Every head's answer attention in `norm`, (layer, head) selected without a signal; the greedy answer.
    void showHeads(const InspectionResult& result, Normalisation norm, int layer, int head);
    // The query row's buckets in `norm` (named `normName`): the mean over heads and layers, and (layer,
    // head).
    void showBuckets(const InspectionResult& result, int layer, int head, Normalisation norm,
                     const QString& normName);

  private:
    HeadGridWidget* headGrid_ = nullptr;
    BucketBarsWidget* bucketBars_ = nullptr;
    QLabel* greedy_ = nullptr;
};

}  // namespace needlescope
