#include "ui/charts/LossSeries.h"

#include <algorithm>

namespace needlescope {

QString lossXAxisName(LossXAxis axis) {
    switch (axis) {
        case LossXAxis::Tokens:
            return QStringLiteral("tokens");
        case LossXAxis::WallClock:
            return QStringLiteral("time");
        case LossXAxis::Steps:
            break;
    }
    return QStringLiteral("step");
}

LossXAxis lossXAxisFromName(const QString& name, LossXAxis fallback) {
    for (LossXAxis axis : {LossXAxis::Steps, LossXAxis::Tokens, LossXAxis::WallClock})
        if (name == lossXAxisName(axis)) return axis;
    return fallback;
}

LossSeries::LossSeries(const QString& name, double smoothing)
    : name_(name), beta_(std::clamp(smoothing, 0.0, 0.99)), ema_(beta_) {}

void LossSeries::append(const LossSample& sample) {
    samples_.push_back(sample);
    smoothed_.push_back(ema_.push(sample.value));
}

void LossSeries::clear() {
    samples_.clear();
    smoothed_.clear();
    ema_.reset();
}

void LossSeries::truncateAfterStep(double step) {
    const auto keep = std::stable_partition(samples_.begin(), samples_.end(),
                                            [step](const LossSample& s) { return s.step <= step; });
    if (keep == samples_.end()) return;
    samples_.erase(keep, samples_.end());
    recompute();
}

void LossSeries::setSmoothing(double beta) {
    beta = std::clamp(beta, 0.0, 0.99);
    if (beta == beta_) return;
    beta_ = beta;
    recompute();
}

void LossSeries::recompute() {
    ema_ = DebiasedEma(beta_);
    smoothed_.clear();
    smoothed_.reserve(samples_.size());
    for (const LossSample& s : samples_) smoothed_.push_back(ema_.push(s.value));
}

QVector<QPointF> LossSeries::points(LossXAxis axis, bool smoothed, bool positiveOnly) const {
    QVector<QPointF> out;
    out.reserve(static_cast<int>(samples_.size()));
    for (size_t i = 0; i < samples_.size(); ++i) {
        const double x = xOf(samples_[i], axis);
        const double y = smoothed ? smoothed_[i] : samples_[i].value;
        if (!std::isfinite(x) || !std::isfinite(y) || (positiveOnly && y <= 0.0)) continue;
        out.push_back(QPointF(x, y));
    }
    return out;
}

int LossSeries::nearestSample(LossXAxis axis, double x) const {
    int best = -1;
    double bestDistance = 0.0;
    for (size_t i = 0; i < samples_.size(); ++i) {
        const double sx = xOf(samples_[i], axis);
        if (!std::isfinite(sx)) continue;
        const double d = std::fabs(sx - x);
        if (best < 0 || d < bestDistance) {
            best = static_cast<int>(i);
            bestDistance = d;
        }
    }
    return best;
}

}  // namespace needlescope
