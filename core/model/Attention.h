#pragma once
// The two causal self-attention variants compared by Needlescope (DESIGN §2).
#include <torch/torch.h>

#include "core/model/AttentionMaps.h"
#include "core/model/Layers.h"
#include "core/model/Rope.h"

namespace needlescope {

// `mask` is the additive causal mask [T, T] (0 on/below the diagonal, −inf above).
// `capture`, when given, receives the maps of the query rows in `rows` (int64 [R]; undefined = all rows).

class StandardAttentionImpl : public torch::nn::Module {
  public:
    StandardAttentionImpl(int64_t dModel, int64_t heads);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, const RotaryEmbeddingImpl& rope,
                          LayerAttention* capture = nullptr, const torch::Tensor& rows = {});

    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};

  private:
    int64_t heads_, headDim_;
};
TORCH_MODULE(StandardAttention);

class DiffAttentionImpl : public torch::nn::Module {
  public:
    // `heads` is the baseline head count h: this layer has h/2 heads, each with two d-wide
    // query/key sub-heads and a 2d-wide value.
    DiffAttentionImpl(int64_t dModel, int64_t heads, int64_t layerIndex);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, const RotaryEmbeddingImpl& rope,
                          LayerAttention* capture = nullptr, const torch::Tensor& rows = {});

    // λ = exp(λq1·λk1) − exp(λq2·λk2) + λ_init, a 0-dim tensor that carries gradients.
    torch::Tensor lambda() const;
    double lambdaInit() const { return lambdaInit_; }

    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
    torch::Tensor lambda_q1, lambda_k1, lambda_q2, lambda_k2;  // [d] each
    RMSNorm subln{nullptr};                                    // over 2d, one weight shared by the heads

  private:
    int64_t heads_, headDim_;  // h/2 heads; d = Q/K sub-head width
    double lambdaInit_;
};
TORCH_MODULE(DiffAttention);

}  // namespace needlescope
