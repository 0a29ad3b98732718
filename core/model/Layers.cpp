#include "core/model/Layers.h"

#include "core/model/LeanAutograd.h"

namespace needlescope {

RMSNormImpl::RMSNormImpl(int64_t width, double eps) : eps_(eps) {
    weight = register_parameter("weight", torch::ones({width}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) { return rmsNorm(x, weight, eps_); }

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    return leanRmsNorm(x, weight, eps);  // [..., width]
}

SwiGLUImpl::SwiGLUImpl(int64_t dModel, int64_t hidden) {
    auto noBias = [](int64_t in, int64_t out) { return torch::nn::LinearOptions(in, out).bias(false); };
    w1 = register_module("w1", torch::nn::Linear(noBias(dModel, hidden)));
    w3 = register_module("w3", torch::nn::Linear(noBias(dModel, hidden)));
    w2 = register_module("w2", torch::nn::Linear(noBias(hidden, dModel)));
}

torch::Tensor SwiGLUImpl::forward(const torch::Tensor& x) {
    auto gateUp = fusedLinear(x, {w1->weight, w3->weight});  // [B, T, 2F]
    return swigluDown(gateUp, w2->weight);                   // w2(silu(gate)·up)  // [B, T, D]
}

torch::Tensor fusedLinear(const torch::Tensor& x, std::initializer_list<torch::Tensor> weights) {
    return torch::nn::functional::linear(x, torch::cat(weights, 0));  // [..., Σ out]
}

}  // namespace needlescope
