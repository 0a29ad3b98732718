#pragma once
// Independent re-computations the model tests check the modules against (RoPE and causal softmax as
// loops in double precision over the elements), shared by test_model and test_model_diff2.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace modeltest {

inline double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

// Independent interleaved RoPE of a [T, d] block: pair (x[2i], x[2i+1]) rotated by t·base^(−2i/d).
inline torch::Tensor naiveRope(const torch::Tensor& x, double base) {
    auto out = x.clone();
    auto xa = x.accessor<float, 2>();
    auto oa = out.accessor<float, 2>();
    const int64_t T = x.size(0), d = x.size(1);
    for (int64_t t = 0; t < T; ++t)
        for (int64_t i = 0; i < d / 2; ++i) {
            const double theta = double(t) * std::pow(base, -2.0 * double(i) / double(d));
            const double x0 = xa[t][2 * i], x1 = xa[t][2 * i + 1];
            oa[t][2 * i] = float(x0 * std::cos(theta) - x1 * std::sin(theta));
            oa[t][2 * i + 1] = float(x0 * std::sin(theta) + x1 * std::cos(theta));
        }
    return out;
}

// Independent causal softmax of one head from rotated q, k [T, d], in double precision, one row at a time.
inline torch::Tensor naiveCausalSoftmax(const torch::Tensor& q, const torch::Tensor& k) {
    const int64_t T = q.size(0), d = q.size(1);
    auto qa = q.accessor<float, 2>();
    auto ka = k.accessor<float, 2>();
    auto weights = torch::zeros({T, T});
    auto wa = weights.accessor<float, 2>();
    for (int64_t t = 0; t < T; ++t) {
        std::vector<double> logits(size_t(t + 1));
        double maxLogit = -1e300, total = 0;
        for (int64_t s = 0; s <= t; ++s) {
            double dot = 0;
            for (int64_t c = 0; c < d; ++c) dot += double(qa[t][c]) * double(ka[s][c]);
            logits[size_t(s)] = dot / std::sqrt(double(d));
            maxLogit = std::max(maxLogit, logits[size_t(s)]);
        }
        for (double& l : logits) total += (l = std::exp(l - maxLogit));
        for (int64_t s = 0; s <= t; ++s) wa[t][s] = float(logits[size_t(s)] / total);
    }
    return weights;  // [T, T], zero above the diagonal
}

}  // namespace modeltest
