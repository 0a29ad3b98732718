#pragma once
// LLaMA-style decoder-only language model: standard, differential (DIFF) or DIFF V2 attention (DESIGN §2).
#include <torch/torch.h>

#include <optional>
#include <vector>

#include "core/model/Attention.h"
#include "core/model/AttentionMaps.h"
#include "core/model/Layers.h"
#include "core/model/ModelConfig.h"
#include "core/model/Rope.h"

namespace needlescope {

class BlockImpl : public torch::nn::Module {
  public:
    BlockImpl(const ModelConfig& config, int64_t layerIndex);
    // x: [B, T, D] → [B, T, D]: x + attn(norm(x)), then + ffn(norm(·)).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, const RotaryEmbeddingImpl& rope,
                          LayerAttention* capture = nullptr, const torch::Tensor& rows = {});

    RMSNorm attn_norm{nullptr}, ffn_norm{nullptr};
    StandardAttention standard{nullptr};  // exactly one of these three is set,
    DiffAttention diff{nullptr};          // registered under the name "attn"
    Diff2Attention diff2{nullptr};
    SwiGLU ffn{nullptr};
};
TORCH_MODULE(Block);

class DecoderImpl : public torch::nn::Module {
  public:
    explicit DecoderImpl(const ModelConfig& config);  // validates; seeds the init from config.seed

    torch::Tensor forward(const torch::Tensor& tokens);  // [B, T] int64 → logits [B, T, V]
    // Mean next-token cross-entropy of `targets` [B, T] given `inputs` [B, T]; with `weights` [B, T] the
    // weighted mean Σ w·ce / Σ w (a target of weight 0 sends no gradient).
    torch::Tensor loss(const torch::Tensor& inputs, const torch::Tensor& targets,
                       const torch::Tensor& weights = {});
    // No-grad forward that records every layer's attention for the query rows `rows` (empty = all rows), and
    // the logits of positions firstLogit … T−1 only: logits [B, T − firstLogit, V]. The head over every
    // position is a quarter of a small model's forward, so the probe asks only for the positions it reads.
    AttentionCapture capture(const torch::Tensor& tokens, const std::vector<int64_t>& rows = {},
                             int64_t firstLogit = 0);

    const ModelConfig& config() const { return config_; }
    // Per layer: DIFF's λ; DIFF V2's mean λ_t over the last forward (NaN before one); empty for standard.
    std::vector<double> lambdas() const;
    int64_t parameterCount() const;
    torch::Device device() const { return embed_tokens->weight.device(); }  // where the weights live

    torch::nn::Embedding embed_tokens{nullptr};  // tied with the output head
    torch::nn::ModuleList layers{nullptr};
    RMSNorm norm{nullptr};

  private:
    // Final-norm hidden states of positions firstPosition … T−1: [B, T − firstPosition, D].
    torch::Tensor hidden(const torch::Tensor& tokens, AttentionCapture* capture, const torch::Tensor& rows,
                         int64_t firstPosition = 0);
    const torch::Tensor& causalMask(int64_t T, const torch::Device& device);

    ModelConfig config_;
    RotaryEmbedding rope_{nullptr};
    torch::Tensor mask_;  // [T, T] additive causal mask, cached for the last T and device seen
};
TORCH_MODULE(Decoder);

}  // namespace needlescope
