#pragma once
// The Compare view's "Curves and probes" tab: the compared runs' train/validation loss overlaid, and answer
// and noise attention vs needle depth from their stored probes, with a step slider over training; the two
// charts share the height through a splitter, and the loss chart's view options persist.
#include <QVector>
#include <QWidget>
#include <map>
#include <vector>

#include "core/probe/Inspection.h"
#include "ui/settings/AppPaths.h"
#include "ui/workers/InspectWorker.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QSlider;
QT_END_NAMESPACE

namespace needlescope {

class DepthCurveChart;
class LossChartWidget;

class CompareCurvesTab : public QWidget {
    Q_OBJECT
  public:
    // The loss chart (with its controls) keeps at least this height in pixels, the depth charts 200.
    static constexpr int kMinChartHeight = 240;

    explicit CompareCurvesTab(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);

    // Reloads the curves and probes of `runs` (in the order their colours follow).
    void showRuns(const QVector<RunSource>& runs);

    LossChartWidget* lossChart() const { return lossChart_; }
    DepthCurveChart* depthChart() const { return depthChart_; }
    QSlider* stepSlider() const { return stepSlider_; }
    QVector<qint64> probeSteps() const { return probeSteps_; }

  Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);

  private:
    void restoreChartOptions();
    void saveChartOptions();
    void updateLossCurves();
    void loadProbes();
    void updateDepthCurves();
    Normalisation bucketNorm() const;

    app::AppPaths paths_;
    LossChartWidget* lossChart_ = nullptr;
    DepthCurveChart* depthChart_ = nullptr;
    QComboBox* normCombo_ = nullptr;
    QSlider* stepSlider_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QLabel* probeInfo_ = nullptr;

    QVector<RunSource> runs_;
    std::map<qint64, std::vector<ProbeRow>> probeRows_;
    QVector<qint64> probeSteps_;  // union over the runs, ascending
};

}  // namespace needlescope
