#pragma once
// Rotary position embedding on interleaved pairs (x0,x1), (x2,x3), … of each d-wide (sub-)head.
#include <torch/torch.h>

namespace needlescope {

class RotaryEmbeddingImpl : public torch::nn::Module {
  public:
    RotaryEmbeddingImpl(int64_t headDim, int64_t maxContext, double base);

    // x: [B, T, N, d] (N heads or sub-heads). Returns the rotated tensor, same shape.
    torch::Tensor forward(const torch::Tensor& x) const;

  private:
    torch::Tensor cos_;  // [maxT, 1, d]  cos θ_i repeated for both members of pair i
    torch::Tensor sin_;  // [maxT, 1, d]  (−sin θ_i, +sin θ_i) for pair i
};
TORCH_MODULE(RotaryEmbedding);

}  // namespace needlescope
