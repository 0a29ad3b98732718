#include "ui/widgets/ColorScale.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace needlescope {
namespace {

struct Stop {
    double at;
    int r, g, b;
};

// Viridis, sampled at 9 evenly spaced stops (matplotlib's table).
constexpr std::array<Stop, 9> kViridis{{{0.000, 68, 1, 84},
                                        {0.125, 71, 44, 122},
                                        {0.250, 59, 81, 139},
                                        {0.375, 44, 113, 142},
                                        {0.500, 33, 144, 141},
                                        {0.625, 39, 173, 129},
                                        {0.750, 92, 200, 99},
                                        {0.875, 170, 220, 50},
                                        {1.000, 253, 231, 37}}};

// ColorBrewer RdBu (11 classes) reversed so negative is blue, with the centre made pure white.
constexpr std::array<Stop, 11> kBlueWhiteRed{{{0.0, 5, 48, 97},
                                              {0.1, 33, 102, 172},
                                              {0.2, 67, 147, 195},
                                              {0.3, 146, 197, 222},
                                              {0.4, 209, 229, 240},
                                              {0.5, 255, 255, 255},
                                              {0.6, 253, 219, 199},
                                              {0.7, 244, 165, 130},
                                              {0.8, 214, 96, 77},
                                              {0.9, 178, 24, 43},
                                              {1.0, 103, 0, 31}}};

template <size_t N>
QRgb interpolate(const std::array<Stop, N>& stops, double t) {
    t = std::clamp(t, 0.0, 1.0);
    for (size_t i = 1; i < N; ++i) {
        if (t <= stops[i].at) {
            const Stop& a = stops[i - 1];
            const Stop& b = stops[i];
            const double f = (t - a.at) / (b.at - a.at);
            auto mix = [f](int x, int y) { return static_cast<int>(std::lround(x + (y - x) * f)); };
            return qRgb(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b));
        }
    }
    return qRgb(stops[N - 1].r, stops[N - 1].g, stops[N - 1].b);
}

}  // namespace

ColorScale::ColorScale(Mode mode, float minimum, float maximum) : mode_(mode) {
    if (!std::isfinite(minimum)) minimum = 0.0f;
    if (!std::isfinite(maximum)) maximum = 0.0f;
    if (mode == Mode::Diverging) {
        const float m = std::max(std::fabs(minimum), std::fabs(maximum));
        min_ = -m;
        max_ = m;
    } else {
        min_ = std::min(minimum, maximum);
        max_ = std::max(minimum, maximum);
    }
}

ColorScale ColorScale::sequential(float maximum, float minimum) {
    return ColorScale(Mode::Sequential, minimum, maximum);
}

ColorScale ColorScale::diverging(float maxAbs) { return ColorScale(Mode::Diverging, -maxAbs, maxAbs); }

ColorScale ColorScale::fitted(Mode mode, const std::vector<float>& values) {
    float lo = 0.0f;
    float hi = 0.0f;
    for (float v : values) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    return ColorScale(mode, lo, hi);
}

double ColorScale::transfer(double v) const {
    if (symLogWidth_ <= 0.0f) return v;
    const double c = symLogWidth_;
    return std::copysign(std::log1p(std::fabs(v) / c), v);
}

double ColorScale::position(float value) const {
    if (std::isnan(value)) return std::nan("");
    if (mode_ == Mode::Diverging) {
        const double m = transfer(max_);
        if (!(m > 0.0)) return 0.5;
        return std::clamp(0.5 + 0.5 * transfer(value) / m, 0.0, 1.0);
    }
    const double lo = transfer(min_);
    const double hi = transfer(max_);
    if (!(hi > lo)) return value > min_ ? 1.0 : 0.0;
    return std::clamp((transfer(value) - lo) / (hi - lo), 0.0, 1.0);
}

QRgb ColorScale::rgbAt(double t) const {
    return mode_ == Mode::Diverging ? interpolate(kBlueWhiteRed, t) : interpolate(kViridis, t);
}

QRgb ColorScale::rgb(float value) const {
    const double t = position(value);
    if (std::isnan(t)) return nanColor();
    return rgbAt(t);
}

}  // namespace needlescope
