#pragma once
// The three causal self-attention variants compared by Needlescope (DESIGN §2).
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

// Differential Attention V2 (microsoft/unilm Diff-Transformer-V2): 2h query heads and h_kv key/value heads
// of width d = d_model/h (grouped-query attention). Query heads 2i and 2i+1 share KV head i·h_kv/h; head i's
// map is A_2i − λ_t·A_2i+1 with a per-token, per-head λ_t = sigmoid(x_t·W_λ). No sub-norm, no λ_init.
class Diff2AttentionImpl : public torch::nn::Module {
  public:
    Diff2AttentionImpl(int64_t dModel, int64_t heads, int64_t kvHeads);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, const RotaryEmbeddingImpl& rope,
                          LayerAttention* capture = nullptr, const torch::Tensor& rows = {});

    torch::Tensor lambda(const torch::Tensor& x);  // x: [B, T, D] → λ [B, T, h], in (0, 1)
    // The mean λ_t over every token and head of the last forward (NaN before one): the training monitor's
    // V2 λ. Kept as a tensor so the forward never waits on the device for it.
    double lastMeanLambda() const;
    int64_t heads() const { return heads_; }
    int64_t kvHeads() const { return kvHeads_; }

    torch::nn::Linear q_proj{nullptr};       // D → 2h·d
    torch::nn::Linear k_proj{nullptr};       // D → h_kv·d
    torch::nn::Linear v_proj{nullptr};       // D → h_kv·d
    torch::nn::Linear out_proj{nullptr};     // h·d → D
    torch::nn::Linear lambda_proj{nullptr};  // D → h

  private:
    int64_t heads_, kvHeads_, headDim_;
    torch::Tensor lastMeanLambda_;  // [] detached
};
TORCH_MODULE(Diff2Attention);

}  // namespace needlescope
