#pragma once
// The Inspect view's overview of a placement: the layers × heads grid of answer attention (click a head to
// select it), the bucket bars of the query row and the greedy answer.
#include <QWidget>

#include "core/probe/Inspection.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
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
    // "Maps": every head's cell shows a thumbnail of its `kind` map instead of its answer attention.
    QCheckBox* mapsBox() const { return mapsBox_; }
    QString headsNote() const;  // the line under the grid: how many heads, and why DIFF has half

    // Every head's answer attention in `norm`, (layer, head) selected without a signal; the greedy answer.
    void showHeads(const InspectionResult& result, Normalisation norm, int layer, int head,
                   MapKind kind = MapKind::Effective);
    // The query row's buckets in `norm` (named `normName`): the mean over heads and layers, and (layer,
    // head).
    void showBuckets(const InspectionResult& result, int layer, int head, Normalisation norm,
                     const QString& normName);

  private:
    HeadGridWidget* headGrid_ = nullptr;
    BucketBarsWidget* bucketBars_ = nullptr;
    QLabel* greedy_ = nullptr;
    QLabel* headsNote_ = nullptr;
    QCheckBox* mapsBox_ = nullptr;
};

}  // namespace needlescope
