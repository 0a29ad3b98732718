#include "core/model/Decoder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>

#include <limits>
#include <mutex>

#include "core/model/ChunkedLoss.h"
#include "core/util/Autocast.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

// V2's attention from its own random stream, while the main stream advances exactly as a standard
// attention's draws would: every later weight (FFN, next layers) then starts as in the baseline. k/v/out_proj
// take the standard draws where their shapes match (out_proj always; k_proj and v_proj when h_kv = h).
Diff2Attention makeDiff2(const ModelConfig& config, int64_t layerIndex) {
    StandardAttention twin(config.dModel, config.nHeads);  // the baseline's draws, main stream
    auto generator = at::detail::getDefaultCPUGenerator();
    torch::Tensor mainState;
    {
        std::lock_guard<std::mutex> lock(generator.mutex());
        mainState = generator.get_state();
    }
    torch::manual_seed(config.seed ^ (0xd1ff2d1ff2ULL + 0x9e3779b97f4a7c15ULL * uint64_t(layerIndex + 1)));
    Diff2Attention attn(config.dModel, config.nHeads, config.kvHeadCount());
    {
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(mainState);
    }
    torch::NoGradGuard noGrad;
    attn->out_proj->weight.copy_(twin->out_proj->weight);
    if (config.kvHeadCount() == config.nHeads) {
        attn->k_proj->weight.copy_(twin->k_proj->weight);
        attn->v_proj->weight.copy_(twin->v_proj->weight);
    }
    return attn;
}

}  // namespace

BlockImpl::BlockImpl(const ModelConfig& config, int64_t layerIndex) {
    attn_norm = register_module("attn_norm", RMSNorm(config.dModel, 1e-5));
    if (config.kind == ModelKind::Diff)
        diff = register_module("attn", DiffAttention(config.dModel, config.nHeads, layerIndex));
    else if (config.kind == ModelKind::Diff2)
        diff2 = register_module("attn", makeDiff2(config, layerIndex));
    else
        standard = register_module("attn", StandardAttention(config.dModel, config.nHeads));
    ffn_norm = register_module("ffn_norm", RMSNorm(config.dModel, 1e-5));
    ffn = register_module("ffn", SwiGLU(config.dModel, config.ffnHidden()));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                 const RotaryEmbeddingImpl& rope, LayerAttention* capture,
                                 const torch::Tensor& rows) {
    auto normed = attn_norm(x);  // [B, T, D]
    auto attended = diff    ? diff->forward(normed, mask, rope, capture, rows)
                    : diff2 ? diff2->forward(normed, mask, rope, capture, rows)
                            : standard->forward(normed, mask, rope, capture, rows);  // [B, T, D]
    auto y = x + attended;                                                           // [B, T, D]
    return y + ffn(ffn_norm(y));                                                     // [B, T, D]
}

DecoderImpl::DecoderImpl(const ModelConfig& config) : config_(config) {
    config_.validate();
    torch::manual_seed(config_.seed);
    embed_tokens = register_module("embed_tokens", torch::nn::Embedding(config_.vocabSize, config_.dModel));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t l = 0; l < config_.nLayers; ++l) layers->push_back(Block(config_, l));
    norm = register_module("norm", RMSNorm(config_.dModel, 1e-5));
    rope_ = register_module("rope", RotaryEmbedding(config_.headDim(), config_.maxContext, config_.ropeBase));

    torch::NoGradGuard noGrad;
    // Small embedding init: the tied head then starts with logits near zero (loss ≈ ln V).
    embed_tokens->weight.normal_(0.0, 0.02);
    if (config_.kind == ModelKind::Diff) {
        // λ vectors come from a separate stream so every weight the two kinds share starts identical.
        torch::manual_seed(config_.seed ^ 0x5eedf00dULL);
        for (const auto& layer : *layers) {
            auto attn = layer->as<BlockImpl>()->diff;
            for (auto* p : {&attn->lambda_q1, &attn->lambda_k1, &attn->lambda_q2, &attn->lambda_k2})
                p->normal_(0.0, 0.1);
        }
    }
}

const torch::Tensor& DecoderImpl::causalMask(int64_t T, const torch::Device& device) {
    if (!mask_.defined() || mask_.size(0) != T || mask_.device() != device) {
        const float inf = std::numeric_limits<float>::infinity();
        mask_ = torch::full({T, T}, -inf, torch::TensorOptions().device(device)).triu(1);  // [T, T]
    }
    return mask_;
}

torch::Tensor DecoderImpl::hidden(const torch::Tensor& tokens, AttentionCapture* capture,
                                  const torch::Tensor& rows, int64_t firstPosition) {
    if (tokens.dim() != 2) throw Error("tokens must be a [batch, time] tensor");
    const int64_t T = tokens.size(1);
    if (T < 1 || T > config_.maxContext)
        throw Error("sequence of " + std::to_string(T) + " tokens does not fit the model's context of " +
                    std::to_string(config_.maxContext));
    if (firstPosition < 0 || firstPosition >= T)
        throw Error("first logit position " + std::to_string(firstPosition) + " is outside a sequence of " +
                    std::to_string(T) + " tokens");
    const auto& mask = causalMask(T, tokens.device());  // [T, T]
    auto x = embed_tokens(tokens);                      // [B, T, D]
    for (size_t l = 0; l < layers->size(); ++l) {
        LayerAttention* layerCapture = capture ? &capture->layers[l] : nullptr;
        x = layers[l]->as<BlockImpl>()->forward(x, mask, *rope_, layerCapture, rows);  // [B, T, D]
    }
    if (firstPosition > 0) x = x.narrow(1, firstPosition, T - firstPosition);  // [B, T', D]
    return norm(x);                                                            // [B, T', D]
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& tokens) {
    auto h = hidden(tokens, nullptr, {});                           // [B, T, D]
    return torch::nn::functional::linear(h, embed_tokens->weight);  // [B, T, V]
}

torch::Tensor DecoderImpl::loss(const torch::Tensor& inputs, const torch::Tensor& targets,
                                const torch::Tensor& weights) {
    // The head a block of rows at a time: the [B·T, V] logits never exist at once (ChunkedLoss.h).
    const auto h = hidden(inputs, nullptr, {});  // [B, T, D] (bf16 under CUDA autocast)
    AutocastPause fp32Head;  // the head and its log-softmax in fp32, as mixed-precision training expects
    return chunkedLinearCrossEntropy(h.reshape({-1, h.size(-1)}).to(embed_tokens->weight.scalar_type()),
                                     embed_tokens->weight, targets,
                                     weights.defined() ? weights.reshape({-1}) : weights);  // []
}

AttentionCapture DecoderImpl::capture(const torch::Tensor& tokens, const std::vector<int64_t>& rows,
                                      int64_t firstLogit) {
    torch::NoGradGuard noGrad;
    const int64_t T = tokens.dim() == 2 ? tokens.size(1) : 0;
    AttentionCapture result;
    result.rows = rows;
    if (result.rows.empty())
        for (int64_t t = 0; t < T; ++t) result.rows.push_back(t);
    for (auto r : result.rows)
        if (r < 0 || r >= T)
            throw Error("query row " + std::to_string(r) + " is outside a sequence of " + std::to_string(T) +
                        " tokens");
    result.layers.resize(layers->size());
    torch::Tensor rowIndex =
        rows.empty() ? torch::Tensor() : torch::tensor(result.rows, torch::kInt64);          // [R]
    auto h = hidden(tokens, &result, rowIndex, firstLogit);                                  // [B, T', D]
    result.logits = torch::nn::functional::linear(h, embed_tokens->weight).to(torch::kCPU);  // [B, T', V]
    return result;
}

std::vector<double> DecoderImpl::lambdas() const {
    std::vector<double> out;
    torch::NoGradGuard noGrad;
    for (const auto& layer : *layers) {
        const auto* block = layer->as<BlockImpl>();
        if (config_.kind == ModelKind::Diff) out.push_back(block->diff->lambda().item<double>());
        if (config_.kind == ModelKind::Diff2) out.push_back(block->diff2->lastMeanLambda());
    }
    return out;
}

int64_t DecoderImpl::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : parameters()) n += p.numel();
    return n;
}

}  // namespace needlescope
