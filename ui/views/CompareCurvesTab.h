#pragma once
// The Compare view's "Curves and probes" tab: the compared runs' train/validation loss overlaid, and answer
// and noise attention vs needle depth from their stored probes, with a step slider over training; the two
// charts share the height through a splitter, and the loss chart's view options persist. Several runs of
// one kind (a study's seeds) are drawn as their mean over the faint runs, with a min–max band on the depth
// charts, while "Mean by kind" is ticked.
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <map>
#include <vector>

#include "core/probe/Inspection.h"
#include "ui/settings/AppPaths.h"
#include "ui/workers/InspectWorker.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
QT_END_NAMESPACE

namespace needlescope {

class DepthCurveChart;
class LossChartWidget;
struct DepthSeries;

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
    QCheckBox* meanByKindBox() const { return meanByKind_; }
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
    QStringList repeatedKinds() const;
    QStringList groupedKinds() const;  // repeatedKinds() while "Mean by kind" is ticked
    QString meanName(const QString& kind, int runs) const;
    DepthSeries kindMean(const QString& kind, const QVector<DepthSeries>& runs) const;

    app::AppPaths paths_;
    LossChartWidget* lossChart_ = nullptr;
    DepthCurveChart* depthChart_ = nullptr;
    QCheckBox* meanByKind_ = nullptr;
    QComboBox* normCombo_ = nullptr;
    QSlider* stepSlider_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QLabel* probeInfo_ = nullptr;

    QVector<RunSource> runs_;
    std::map<qint64, std::vector<ProbeRow>> probeRows_;
    QVector<qint64> probeSteps_;  // union over the runs, ascending
};

}  // namespace needlescope
