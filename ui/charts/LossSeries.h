#pragma once
// One named loss curve at full resolution: (step, tokens, value) samples plus their debiased EMA, kept
// up to date incrementally as samples arrive. Knows nothing about charts; LossChartWidget draws it.
#include <QPointF>
#include <QString>
#include <QVector>
#include <cmath>
#include <vector>

#include "ui/charts/Smoothing.h"

namespace needlescope {

struct LossSample {
    double step = 0.0;
    double tokens = std::nan("");  // NaN when unknown (the point is left out of a tokens axis)
    double value = 0.0;
    double wallTime = std::nan("");  // training seconds (pauses excluded) when known, else NaN
};

// What the x axis shows: the step, the tokens seen, or the training time in seconds (wall clock).
enum class LossXAxis { Steps, Tokens, WallClock };
// "step", "tokens", "time": how the choice is stored in the settings; unknown names give `fallback`.
QString lossXAxisName(LossXAxis axis);
LossXAxis lossXAxisFromName(const QString& name, LossXAxis fallback);

class LossSeries {
  public:
    explicit LossSeries(const QString& name = QString(), double smoothing = 0.0);

    const QString& name() const { return name_; }
    int size() const { return static_cast<int>(samples_.size()); }
    const std::vector<LossSample>& samples() const { return samples_; }
    const std::vector<double>& smoothed() const { return smoothed_; }

    void append(const LossSample& sample);
    void clear();
    // Drops every sample with step > `step` (a resumed run re-logs those steps; no zig-zag).
    void truncateAfterStep(double step);
    // β in [0, 0.99]; recomputes the whole EMA.
    void setSmoothing(double beta);
    double smoothing() const { return beta_; }

    // Full-resolution points on the chosen axis, raw or smoothed; samples without that x, with a
    // non-finite y, or with y ≤ 0 when `positiveOnly` (log axis) are left out.
    QVector<QPointF> points(LossXAxis axis, bool smoothed, bool positiveOnly) const;
    // The sample whose x is nearest `x` on the axis (-1 when none has that x).
    int nearestSample(LossXAxis axis, double x) const;
    static double xOf(const LossSample& s, LossXAxis axis) {
        return axis == LossXAxis::Steps ? s.step : axis == LossXAxis::Tokens ? s.tokens : s.wallTime;
    }

  private:
    void recompute();

    QString name_;
    double beta_ = 0.0;
    std::vector<LossSample> samples_;
    std::vector<double> smoothed_;
    DebiasedEma ema_;
};

}  // namespace needlescope
