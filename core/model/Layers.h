#pragma once
// Small building blocks shared by both decoders: RMSNorm and the SwiGLU feed-forward.
#include <torch/torch.h>

namespace needlescope {

class RMSNormImpl : public torch::nn::Module {
  public:
    explicit RMSNormImpl(int64_t width, double eps = 1e-5);
    torch::Tensor forward(const torch::Tensor& x);  // normalises over the last dim

    torch::Tensor weight;  // [width], init 1

  private:
    double eps_;
};
TORCH_MODULE(RMSNorm);

// Functional RMSNorm over the last dim, used where one weight is shared by several heads.
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

class SwiGLUImpl : public torch::nn::Module {
  public:
    SwiGLUImpl(int64_t dModel, int64_t hidden);
    torch::Tensor forward(const torch::Tensor& x);  // [B, T, D] → [B, T, D]

    torch::nn::Linear w1{nullptr}, w3{nullptr}, w2{nullptr};  // gate, up, down; no biases
};
TORCH_MODULE(SwiGLU);

// One bias-free matmul over several Linear weights at once: bigger GEMMs run closer to BLAS peak.
torch::Tensor fusedLinear(const torch::Tensor& x, std::initializer_list<torch::Tensor> weights);

}  // namespace needlescope
