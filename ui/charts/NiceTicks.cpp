#include "ui/charts/NiceTicks.h"

#include <algorithm>
#include <cmath>

namespace needlescope {

NiceTicks niceTicks(double low, double high, int maxTicks) {
    maxTicks = std::max(2, maxTicks);
    if (!(high > low)) high = low + 1.0;
    const double rough = (high - low) / double(maxTicks - 1);
    double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    for (;; magnitude *= 10.0)
        for (double factor : {1.0, 2.0, 5.0}) {
            const double step = factor * magnitude;
            const double a = std::floor(low / step + 1e-9) * step;
            const double b = std::ceil(high / step - 1e-9) * step;
            const int count = int(std::lround((b - a) / step)) + 1;
            if (count <= maxTicks) return {a, b, std::max(2, count)};
        }
}

int ticksThatFit(double pixels, double labelHeight, int cap) {
    // A label needs its own height and a little air; fewer gaps than that and Qt Charts elides them all.
    const double gap = std::max(1.0, 1.4 * labelHeight);
    return std::clamp(int(std::floor(pixels / gap)) + 1, 2, std::max(2, cap));
}

}  // namespace needlescope
