#pragma once
// The Inspect view's selected head: a title line, λ (DIFF) or the softmax note, the large heatmap of
// query rows × keys, and the read-out of the hovered cell.
#include <QWidget>
#include <memory>

#include "core/probe/Inspection.h"

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

namespace needlescope {

class HeatmapWidget;

class InspectHeadPanel : public QWidget {
    Q_OBJECT
  public:
    explicit InspectHeadPanel(QWidget* parent = nullptr);

    HeatmapWidget* heatmap() const { return heatmap_; }
    void setHeadTitle(const QString& title);
    QString hoverText() const;  // the read-out line under the map
    QLabel* lambdaLabel() const { return lambda_; }
    static QString hoverHint();  // what it says before the map is hovered
    // The (layer, head) map of `kind` with the row `rowIndex` highlighted; log colours on request.
    void showHead(std::shared_ptr<const InspectionResult> result, int layer, int head, MapKind kind,
                  int64_t rowIndex, bool logColours);

  private:
    QLabel* title_ = nullptr;
    QLabel* lambda_ = nullptr;
    HeatmapWidget* heatmap_ = nullptr;
    QLabel* hover_ = nullptr;
    std::shared_ptr<const InspectionResult> result_;
};

}  // namespace needlescope
