#pragma once
// The Compare view (DESIGN §7): two or more runs (by default the latest paired experiment) side by side —
// configuration differences only, overlaid train/validation loss, answer and noise attention vs needle
// depth from the stored probes with a step slider over training, and one heatmap per run driven by one
// set of needle controls (same text, depth, context, layer/head index) with an optional shared colour scale.
#include <QVector>
#include <QWidget>
#include <memory>

#include "core/probe/Inspection.h"
#include "ui/settings/AppPaths.h"
#include "ui/workers/InspectWorker.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;
class QTimer;
QT_END_NAMESPACE

namespace needlescope {

class CompareAttentionTab;
class CompareCurvesTab;
class CompareStatsTab;
class ConfigDiffTable;
class DepthCurveChart;
class HeadGridWidget;
class HeatmapWidget;
class LossChartWidget;
class ProbeNowBar;

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
    QComboBox* experimentCombo() const { return groupCombo_; }  // studies, then paired experiments
    ConfigDiffTable* configDiff() const { return diffTable_; }
    CompareCurvesTab* curvesTab() const { return curves_; }
    CompareStatsTab* statsTab() const { return stats_; }
    LossChartWidget* lossChart() const;
    DepthCurveChart* depthChart() const;
    QSlider* stepSlider() const;
    QVector<qint64> probeSteps() const;
    QSlider* depthSlider() const;
    QSlider* contextSlider() const;
    QSpinBox* layerSpin() const;
    QSpinBox* headSpin() const;
    QCheckBox* sharedScaleBox() const;
    QCheckBox* symLogBox() const;
    QVector<HeatmapWidget*> heatmaps() const;
    QVector<HeadGridWidget*> headGrids() const;  // one per heatmap: answer attention of every head
    InspectWorker* worker() const;

    // Writes the compared runs to `path` (.csv, .json, or the loss chart as .png / .svg).
    bool exportComparedTo(const QString& path, QString* error = nullptr);
    QVector<std::shared_ptr<const InspectionResult>> results() const;
    // "Probe now": probes the compared runs at their latest checkpoints, then re-reads the store.
    QPushButton* probeButton() const { return probeButton_; }
    ProbeNowBar* probeBar() const { return probeBar_; }

  public Q_SLOTS:
    void refresh();
    void compareRuns(QVector<qint64> runIds);
    void probeNow();
    void exportCompared();  // File ▸ Export while this view is current: asks for a file, then exports

  Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);

  private:
    void buildUi();
    void fillRunList(const QVector<qint64>& checked);
    void rebuild();
    void updateConfigDiff();
    QVector<qint64> pickerRuns(int index) const;

    app::AppPaths paths_;
    QTimer* rebuildTimer_ = nullptr;

    QComboBox* groupCombo_ = nullptr;
    QListWidget* runList_ = nullptr;
    ConfigDiffTable* diffTable_ = nullptr;
    QLabel* diffSummary_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    CompareCurvesTab* curves_ = nullptr;
    CompareAttentionTab* attention_ = nullptr;
    CompareStatsTab* stats_ = nullptr;
    QPushButton* probeButton_ = nullptr;
    ProbeNowBar* probeBar_ = nullptr;

    QVector<RunSource> sources_;   // every run in the store, newest first
    QVector<RunSource> compared_;  // the checked ones
};

}  // namespace needlescope
