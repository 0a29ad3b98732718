#include "core/train/Schedule.h"

#include <algorithm>
#include <cmath>

namespace needlescope {

double learningRate(const OptimizerConfig& o, int64_t step, int64_t totalSteps) {
    if (o.warmupSteps > 0 && step < o.warmupSteps) return o.lr * double(step + 1) / double(o.warmupSteps);
    const double span = double(std::max<int64_t>(1, totalSteps - o.warmupSteps));
    const double progress = std::clamp(double(step - o.warmupSteps) / span, 0.0, 1.0);
    const double minLr = o.lr * o.minLrRatio;
    if (o.schedule == "wsd") {
        const double decayStart = 1.0 - o.decayFraction;  // in post-warm-up progress
        const double decayed = std::clamp((progress - decayStart) / o.decayFraction, 0.0, 1.0);
        return o.lr - (o.lr - minLr) * decayed;
    }
    return minLr + 0.5 * (o.lr - minLr) * (1.0 + std::cos(M_PI * progress));
}

}  // namespace needlescope
