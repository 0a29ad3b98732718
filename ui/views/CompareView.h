#pragma once
// The Compare view (DESIGN §7): two or more runs (by default the latest paired experiment) side by side —
// configuration differences only, overlaid train/validation loss, answer and noise attention vs needle
// depth from the stored probes with a step slider over training, and one heatmap per run driven by one
// set of needle controls (same text, depth, context, layer/head index) with an optional shared colour scale.
#include <QPair>
#include <QVector>
#include <QWidget>
#include <map>
#include <vector>

#include "ui/settings/AppPaths.h"
#include "core/probe/Inspection.h"
#include "ui/workers/InspectWorker.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSlider;
class QSpinBox;
class QTabWidget;
class QTimer;
class QToolButton;
QT_END_NAMESPACE

namespace needlescope {

class ConfigDiffTable;
class DepthCurveChart;
class HeatmapWidget;
class LossChartWidget;

class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);
    ~CompareView() override;

    QVector<qint64> runIds() const;  // the runs compared, by run id (creation order)

    // Keys never listed as differences: names, groups and paths.
    static QStringList ignoredConfigKeys();

    // The parts, for tests and the main window.
    QTabWidget* tabs() const { return tabs_; }
    QListWidget* runList() const { return runList_; }
    ConfigDiffTable* configDiff() const { return diffTable_; }
    LossChartWidget* lossChart() const { return lossChart_; }
    DepthCurveChart* depthChart() const { return depthChart_; }
    QSlider* stepSlider() const { return stepSlider_; }
    QVector<qint64> probeSteps() const { return probeSteps_; }
    QSlider* depthSlider() const { return depthSlider_; }
    QSlider* contextSlider() const { return contextSlider_; }
    QSpinBox* layerSpin() const { return layerSpin_; }
    QSpinBox* headSpin() const { return headSpin_; }
    QCheckBox* sharedScaleBox() const { return sharedScale_; }
    QCheckBox* symLogBox() const { return symLog_; }
    QVector<HeatmapWidget*> heatmaps() const;
    InspectWorker* worker() const { return worker_; }
    QVector<std::shared_ptr<const InspectionResult>> results() const;

public Q_SLOTS:
    void refresh();
    void compareRuns(QVector<qint64> runIds);

Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);

private:
    struct Panel;
    void buildUi();
    void fillRunList(const QVector<qint64>& checked);
    void rebuild();
    void updateConfigDiff();
    void updateLossCurves();
    void loadProbes();
    void updateDepthCurves();
    void rebuildPanels();
    void scheduleAttention();
    void sendAttention();
    void onFinished(const InspectOutcome& outcome);
    void updateHeatmaps();
    void applySharedScale();
    void updateSliderLabels();
    Normalisation bucketNorm() const;

    app::AppPaths paths_;
    InspectWorker* worker_ = nullptr;
    QTimer* rebuildTimer_ = nullptr;
    QTimer* attentionTimer_ = nullptr;

    QComboBox* groupCombo_ = nullptr;
    QListWidget* runList_ = nullptr;
    ConfigDiffTable* diffTable_ = nullptr;
    QLabel* diffSummary_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    LossChartWidget* lossChart_ = nullptr;
    DepthCurveChart* depthChart_ = nullptr;
    QComboBox* normCombo_ = nullptr;
    QSlider* stepSlider_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QLineEdit* needleEdit_ = nullptr;
    QLineEdit* questionEdit_ = nullptr;
    QToolButton* resetTexts_ = nullptr;
    QSlider* depthSlider_ = nullptr;
    QLabel* depthLabel_ = nullptr;
    QSlider* contextSlider_ = nullptr;
    QLabel* contextLabel_ = nullptr;
    QSpinBox* layerSpin_ = nullptr;
    QSpinBox* headSpin_ = nullptr;
    QComboBox* mapCombo_ = nullptr;
    QCheckBox* sharedScale_ = nullptr;
    QCheckBox* symLog_ = nullptr;
    QLabel* probeInfo_ = nullptr;
    QWidget* panelArea_ = nullptr;
    QLabel* attentionStatus_ = nullptr;

    QVector<RunSource> sources_;  // every run in the store, newest first
    QVector<RunSource> compared_; // the checked ones
    std::map<qint64, std::vector<ProbeRow>> probeRows_;
    QVector<qint64> probeSteps_;  // union over the compared runs, ascending
    QVector<Panel*> panels_;
    QVector<QPair<qint64, qint64>> panelModels_;  // (run, checkpoint step) behind the panels
    bool customNeedle_ = false;
    bool customQuestion_ = false;
    bool contextKnown_ = false;
    quint64 sentId_ = 0;
    QVector<qint64> sentRuns_;  // the runs of the job `sentId_`, in panel order
};

}  // namespace needlescope
