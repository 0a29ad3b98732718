#include "ui/charts/Smoothing.h"

#include <algorithm>
#include <cmath>

namespace needlescope {

DebiasedEma::DebiasedEma(double beta) : beta_(std::clamp(beta, 0.0, 0.999)) {}

void DebiasedEma::reset() {
    accum_ = 0.0;
    betaPow_ = 1.0;
    count_ = 0;
}

double DebiasedEma::push(double y) {
    if (!std::isfinite(y)) return y;
    accum_ = beta_ * accum_ + (1.0 - beta_) * y;
    betaPow_ *= beta_;
    ++count_;
    const double debias = 1.0 - betaPow_;
    return debias > 0.0 ? accum_ / debias : y;
}

std::vector<double> emaDebiased(const std::vector<double>& values, double beta) {
    DebiasedEma ema(beta);
    std::vector<double> out;
    out.reserve(values.size());
    for (double y : values) out.push_back(ema.push(y));
    return out;
}

}  // namespace needlescope
