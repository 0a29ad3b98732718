#pragma once
// The Compare view's "Attention side by side" tab: one heatmap per compared run (up to four, each at its
// latest checkpoint), all driven by one set of needle controls and one layer/head index (spin boxes, or a
// click on any panel's head grid of answer attention), with an optional shared colour scale. Placements are
// computed by an InspectWorker; the window never waits for them.
#include <QPair>
#include <QVector>
#include <QWidget>
#include <memory>

#include "core/probe/Inspection.h"
#include "ui/workers/InspectWorker.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;
class QTimer;
QT_END_NAMESPACE

namespace needlescope {

class HeadGridWidget;
class HeatmapWidget;
class NeedleControls;

class CompareAttentionTab : public QWidget {
    Q_OBJECT
  public:
    explicit CompareAttentionTab(QWidget* parent = nullptr);
    ~CompareAttentionTab() override;

    // The compared runs; the panels are rebuilt only when the models behind them change.
    void showRuns(const QVector<RunSource>& runs);

    NeedleControls* needleControls() const { return controls_; }
    QSpinBox* layerSpin() const { return layerSpin_; }
    QSpinBox* headSpin() const { return headSpin_; }
    QCheckBox* sharedScaleBox() const { return sharedScale_; }
    QCheckBox* symLogBox() const { return symLog_; }
    QVector<HeatmapWidget*> heatmaps() const;
    QVector<HeadGridWidget*> headGrids() const;  // one per panel, next to its read-out
    InspectWorker* worker() const { return worker_; }
    QVector<std::shared_ptr<const InspectionResult>> results() const;

  private:
    struct Panel;
    void rebuildPanels();
    void schedule();
    void sendRequests();
    void onFinished(const InspectOutcome& outcome);
    void updateHeatmaps();
    void selectHead(int layer, int head);  // a head grid's click: that layer and head in every panel
    static void showHeadGrid(HeadGridWidget* grid, const InspectionResult& r);
    void applySharedScale();

    InspectWorker* worker_ = nullptr;
    QTimer* coalesce_ = nullptr;
    NeedleControls* controls_ = nullptr;
    QSpinBox* layerSpin_ = nullptr;
    QSpinBox* headSpin_ = nullptr;
    QComboBox* mapCombo_ = nullptr;
    QCheckBox* sharedScale_ = nullptr;
    QCheckBox* symLog_ = nullptr;
    QLabel* status_ = nullptr;
    QWidget* panelArea_ = nullptr;

    QVector<RunSource> runs_;
    QVector<Panel*> panels_;
    QVector<QPair<qint64, qint64>> panelModels_;  // (run, checkpoint step) behind the panels
    bool contextKnown_ = false;
    quint64 sentId_ = 0;
    QVector<qint64> sentRuns_;  // the runs of the job `sentId_`, in panel order
};

}  // namespace needlescope
