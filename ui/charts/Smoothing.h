#pragma once
// Exponential moving average with TensorBoard's bias correction:
//   s_t = β·s_{t−1} + (1 − β)·y_t,  s_0 = 0,  shown value = s_t / (1 − β^t)
// so the first point equals y_1 instead of being pulled towards 0. Non-finite inputs are passed through
// unchanged and do not enter the average (TensorBoard does the same).
#include <vector>

namespace needlescope {

// Incremental form, for series that grow while training runs.
class DebiasedEma {
  public:
    explicit DebiasedEma(double beta = 0.0);
    double push(double y);  // the smoothed value for y
    void reset();
    double beta() const { return beta_; }
    int count() const { return count_; }

  private:
    double beta_;
    double accum_ = 0.0;
    double betaPow_ = 1.0;  // β^count
    int count_ = 0;
};

// The whole series at once; β is clamped to [0, 0.999]; β = 0 returns the input.
std::vector<double> emaDebiased(const std::vector<double>& values, double beta);

}  // namespace needlescope
