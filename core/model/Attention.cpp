#include "core/model/Attention.h"

#include <cmath>

#include "core/model/BatchedMatmul.h"
#include "core/model/LeanAutograd.h"
#include "core/model/ModelConfig.h"
#include "core/model/SlicedAttention.h"

namespace needlescope {
namespace {

torch::nn::LinearOptions noBias(int64_t in, int64_t out) {
    return torch::nn::LinearOptions(in, out).bias(false);
}

// Scaled, causally masked scores of N (sub-)heads in one batched GEMM.
// q, k: [B, T, N, d] (RoPE applied). Returns softmax probabilities [B, N, T, T].
torch::Tensor causalProbabilities(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& mask) {
    const int64_t B = q.size(0), T = q.size(1), N = q.size(2), d = q.size(3);
    auto qb = (q * (1.0 / std::sqrt(double(d)))).transpose(1, 2).reshape({B * N, T, d});  // [B·N, T, d]
    auto kb = k.transpose(1, 2).reshape({B * N, T, d});                                   // [B·N, T, d]
    auto scores = batchedMatmul(qb, kb.transpose(1, 2));                                  // [B·N, T, T]
    scores.add_(mask);  // causal: −inf above the diagonal                        // [B·N, T, T]
    return torch::softmax(scores, -1).view({B, N, T, T});  // [B, N, T, T]
}

// Training and plain forwards on the CPU take the sliced path (no [B, H, T, T] map kept); the maps are
// built whole only where they are captured, and on other devices.
bool useSlices(const torch::Tensor& x, const LayerAttention* capture) {
    return !capture && x.device().is_cpu();
}

// [B, T, N, d] → [B·N/P, P, T, d]: sub-heads P·i … P·i + P − 1 become slice i's maps.
torch::Tensor toSlices(const torch::Tensor& x, int64_t P) {
    const int64_t B = x.size(0), T = x.size(1), N = x.size(2), d = x.size(3);
    return x.transpose(1, 2).reshape({B * N / P, P, T, d});  // [B·N/P, P, T, d]
}

torch::Tensor selectRows(const torch::Tensor& maps, const torch::Tensor& rows) {
    auto picked = rows.defined() ? maps.index_select(2, rows.to(maps.device())) : maps;  // [B, H, R, T]
    return picked.detach().to(torch::kCPU).contiguous();
}

}  // namespace

StandardAttentionImpl::StandardAttentionImpl(int64_t dModel, int64_t heads)
    : heads_(heads), headDim_(dModel / heads) {
    q_proj = register_module("q_proj", torch::nn::Linear(noBias(dModel, dModel)));
    k_proj = register_module("k_proj", torch::nn::Linear(noBias(dModel, dModel)));
    v_proj = register_module("v_proj", torch::nn::Linear(noBias(dModel, dModel)));
    out_proj = register_module("out_proj", torch::nn::Linear(noBias(dModel, dModel)));
}

torch::Tensor StandardAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                             const RotaryEmbeddingImpl& rope, LayerAttention* capture,
                                             const torch::Tensor& rows) {
    const int64_t B = x.size(0), T = x.size(1), D = x.size(2);
    auto qkv =
        fusedLinear(x, {q_proj->weight, k_proj->weight, v_proj->weight}).split(D, -1);  // 3 × [B, T, D]
    auto q = rope.forward(qkv[0].view({B, T, heads_, headDim_}));                       // [B, T, H, d]
    auto k = rope.forward(qkv[1].view({B, T, heads_, headDim_}));                       // [B, T, H, d]
    auto v = qkv[2].view({B, T, heads_, headDim_}).transpose(1, 2);                     // [B, H, T, d]
    if (useSlices(x, capture)) {
        auto out = slicedCausalAttention(toSlices(q, 1), toSlices(k, 1), v.reshape({B * heads_, T, headDim_}),
                                         {}, mask, 1.0 / std::sqrt(double(headDim_)));  // [B·H, T, d]
        return out_proj(out.view({B, heads_, T, headDim_}).transpose(1, 2).reshape({B, T, D}));  // [B, T, D]
    }
    auto attn = causalProbabilities(q, k, mask);               // [B, H, T, T]
    if (capture) capture->effective = selectRows(attn, rows);  // [B, H, R, T]
    auto out =
        batchedMatmul(attn.view({B * heads_, T, T}), v.reshape({B * heads_, T, headDim_}));  // [B·H, T, d]
    return out_proj(
        out.view({B, heads_, T, headDim_}).transpose(1, 2).reshape({B, T, D}));  // [B, T, D] // [B, T, D]
}

DiffAttentionImpl::DiffAttentionImpl(int64_t dModel, int64_t heads, int64_t layerIndex)
    : heads_(heads / 2), headDim_(dModel / heads), lambdaInit_(needlescope::lambdaInit(layerIndex)) {
    q_proj = register_module("q_proj", torch::nn::Linear(noBias(dModel, dModel)));
    k_proj = register_module("k_proj", torch::nn::Linear(noBias(dModel, dModel)));
    v_proj = register_module("v_proj", torch::nn::Linear(noBias(dModel, dModel)));
    out_proj = register_module("out_proj", torch::nn::Linear(noBias(dModel, dModel)));
    // Zeros here; the decoder draws N(0, 0.1) from its own generator so shared weights match the baseline's.
    lambda_q1 = register_parameter("lambda_q1", torch::zeros({headDim_}));
    lambda_k1 = register_parameter("lambda_k1", torch::zeros({headDim_}));
    lambda_q2 = register_parameter("lambda_q2", torch::zeros({headDim_}));
    lambda_k2 = register_parameter("lambda_k2", torch::zeros({headDim_}));
    subln = register_module("subln", RMSNorm(2 * headDim_, 1e-5));
}

torch::Tensor DiffAttentionImpl::lambda() const {
    auto l1 = torch::exp(torch::dot(lambda_q1, lambda_k1));  // []
    auto l2 = torch::exp(torch::dot(lambda_q2, lambda_k2));  // []
    return l1 - l2 + lambdaInit_;                            // []
}

torch::Tensor DiffAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                         const RotaryEmbeddingImpl& rope, LayerAttention* capture,
                                         const torch::Tensor& rows) {
    const int64_t B = x.size(0), T = x.size(1), D = x.size(2), h = heads_, d = headDim_;
    auto qkv =
        fusedLinear(x, {q_proj->weight, k_proj->weight, v_proj->weight}).split(D, -1);  // 3 × [B, T, D]
    // Sub-heads 2i and 2i+1 are head i's (Q1, Q2) and (K1, K2).
    auto q = rope.forward(qkv[0].view({B, T, 2 * h, d}));         // [B, T, 2h, d]
    auto k = rope.forward(qkv[1].view({B, T, 2 * h, d}));         // [B, T, 2h, d]
    auto v = qkv[2].view({B, T, h, 2 * d}).transpose(1, 2);       // [B, h, T, 2d]
    auto lam = lambda();                                          // []
    auto finish = [&](const torch::Tensor& mixed) {               // [B, h, T, 2d] → [B, T, D]
        auto out = subln(mixed) * (1.0 - lambdaInit_);            // [B, h, T, 2d]
        return out_proj(out.transpose(1, 2).reshape({B, T, D}));  // [B, T, D]
    };
    if (useSlices(x, capture)) {
        auto out = slicedCausalAttention(toSlices(q, 2), toSlices(k, 2), v.reshape({B * h, T, 2 * d}), lam,
                                         mask, 1.0 / std::sqrt(double(d)));  // (A1 − λ·A2)·V  [B·h, T, 2d]
        return finish(out.view({B, h, T, 2 * d}));
    }
    auto probs = causalProbabilities(q, k, mask).view({B, h, 2, T, T});  // [B, h, 2, T, T]
    auto a1 = probs.select(2, 0);                                        // [B, h, T, T]
    auto a2 = probs.select(2, 1);                                        // [B, h, T, T]
    if (capture) {
        auto attn = torch::addcmul(a1, a2, -lam);     // softmax first, subtract after  // [B, h, T, T]
        capture->effective = selectRows(attn, rows);  // [B, h, R, T]
        capture->a1 = selectRows(a1, rows);           // [B, h, R, T]
        capture->a2 = selectRows(a2, rows);           // [B, h, R, T]
        capture->lambda = lam.item<double>();
        capture->lambdaInit = lambdaInit_;
    }
    return finish(differentialMix(probs, lam, v));  // (A1 − λ·A2)·V  [B, h, T, 2d]
}

Diff2AttentionImpl::Diff2AttentionImpl(int64_t dModel, int64_t heads, int64_t kvHeads)
    : heads_(heads), kvHeads_(kvHeads), headDim_(dModel / heads) {
    q_proj = register_module("q_proj", torch::nn::Linear(noBias(dModel, 2 * dModel)));
    k_proj = register_module("k_proj", torch::nn::Linear(noBias(dModel, kvHeads * headDim_)));
    v_proj = register_module("v_proj", torch::nn::Linear(noBias(dModel, kvHeads * headDim_)));
    out_proj = register_module("out_proj", torch::nn::Linear(noBias(dModel, dModel)));
    lambda_proj = register_module("lambda_proj", torch::nn::Linear(noBias(dModel, heads)));
}

torch::Tensor Diff2AttentionImpl::lambda(const torch::Tensor& x) {
    return torch::sigmoid(lambda_proj(x));  // [B, T, h]
}

double Diff2AttentionImpl::lastMeanLambda() const {
    return lastMeanLambda_.defined() ? lastMeanLambda_.item<double>() : std::nan("");
}

torch::Tensor Diff2AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                          const RotaryEmbeddingImpl& rope, LayerAttention* capture,
                                          const torch::Tensor& rows) {
    const int64_t B = x.size(0), T = x.size(1), D = x.size(2), h = heads_, g = kvHeads_, d = headDim_;
    const int64_t perKv = h / g;  // output heads per KV head; its 2·perKv query heads read that KV head
    auto q = rope.forward(q_proj(x).view({B, T, 2 * h, d}));  // [B, T, 2h, d]
    auto k = rope.forward(k_proj(x).view({B, T, g, d}));      // [B, T, g, d]
    auto v = v_proj(x).view({B, T, g, d});                    // [B, T, g, d]
    // Query head j reads KV head j / (2·perKv): heads 2i and 2i+1 land in the same group (i / perKv).
    auto kq = k.unsqueeze(3).expand({B, T, g, 2 * perKv, d}).reshape({B, T, 2 * h, d});  // [B, T, 2h, d]
    auto lam = lambda(x);                                                                // [B, T, h]
    lastMeanLambda_ = lam.detach().mean();                                               // []
    auto lamRows = lam.permute({0, 2, 1}).unsqueeze(-1);  // λ of each query row              // [B, h, T, 1]
    auto vh =
        v.transpose(1, 2).unsqueeze(2).expand({B, g, perKv, T, d}).reshape({B, h, T, d});  // [B, h, T, d]
    if (useSlices(x, capture)) {
        auto out = slicedCausalAttention(toSlices(q, 2), toSlices(kq, 2), vh.reshape({B * h, T, d}),
                                         lamRows.reshape({B * h, T, 1}), mask,
                                         1.0 / std::sqrt(double(d)));  // (A_2i − λ_t·A_2i+1)·V  [B·h, T, d]
        return out_proj(out.view({B, h, T, d}).transpose(1, 2).reshape({B, T, D}));  // [B, T, D]
    }
    auto probs = causalProbabilities(q, kq, mask).view({B, h, 2, T, T});  // [B, h, 2, T, T]
    auto a1 = probs.select(2, 0);                                         // [B, h, T, T]
    auto a2 = probs.select(2, 1);                                         // [B, h, T, T]
    if (capture) {
        auto attn = a1 - lamRows * a2;  // softmax first, subtract after                     // [B, h, T, T]
        capture->effective = selectRows(attn, rows);             // [B, h, R, T]
        capture->a1 = selectRows(a1, rows);                      // [B, h, R, T]
        capture->a2 = selectRows(a2, rows);                      // [B, h, R, T]
        auto lamPicked = selectRows(lamRows, rows).squeeze(-1);  // [B, h, R]
        capture->lambdaPerToken = lamPicked;                     // [B, h, R]
        capture->lambda = lamPicked.mean().item<double>();       // mean over the captured rows and heads
        capture->lambdaInit = 0.0;
    }
    auto out = differentialMix(probs, lamRows, vh);  // (A_2i − λ_t·A_2i+1)·V             // [B, h, T, d]
    return out_proj(out.transpose(1, 2).reshape({B, T, D}));  // [B, T, D]
}

}  // namespace needlescope
