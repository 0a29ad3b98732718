#include "core/model/LeanAutograd.h"

#include "core/model/BatchedMatmul.h"

namespace needlescope {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct SwigluDown : public torch::autograd::Function<SwigluDown> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gateUp, const torch::Tensor& w2) {
        ctx->save_for_backward({gateUp, w2});
        const auto halves = gateUp.chunk(2, -1);                           // 2 × [..., F]
        return torch::matmul(torch::silu(halves[0]) * halves[1], w2.t());  // [..., D]
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list gradOutputs) {
        const auto saved = ctx->get_saved_variables();
        const auto& gateUp = saved[0];  // [..., 2F]
        const auto& w2 = saved[1];      // [D, F]
        const auto halves = gateUp.chunk(2, -1);
        const auto& gate = halves[0];      // [..., F]
        const auto& up = halves[1];        // [..., F]
        const auto grad = gradOutputs[0];  // [..., D]
        const int64_t F = w2.size(1), D = w2.size(0);
        // Three [..., F] work buffers and the [..., 2F] result at most (each step in place).
        const auto sigmoid = torch::sigmoid(gate);        // [..., F]
        auto work = gate * sigmoid;                       // [..., F]  silu(gate), recomputed
        const auto gradHidden = torch::matmul(grad, w2);  // [..., F]
        auto gradGateUp = torch::empty_like(gateUp);      // [..., 2F]
        auto halvesOut = gradGateUp.chunk(2, -1);
        torch::mul_out(halvesOut[1], gradHidden, work);  // d/d up = dh · silu(gate)
        work.mul_(up);                                   // silu(gate) · up
        const auto gradW2 = torch::mm(grad.reshape({-1, D}).t(), work.reshape({-1, F}));  // [D, F]
        // d silu(g)/dg = σ(g)·(1 + g·(1 − σ(g))), times up
        work.copy_(sigmoid).neg_().add_(1).mul_(gate).add_(1).mul_(sigmoid).mul_(up);
        torch::mul_out(halvesOut[0], gradHidden, work);  // d/d gate
        return {gradGateUp, gradW2};
    }
};

// RMSNorm over the last dim: y = x · r · w with r = (mean(x²) + eps)^(−1/2). Keeps x and r only (the plain
// chain also keeps x · r, a second tensor the size of x).
struct RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                                 double eps) {
        const auto inverseRms = inverseRmsOf(x, eps);  // [..., 1]
        ctx->save_for_backward({x, inverseRms, weight});
        return x * inverseRms * weight;  // [..., W]
    }

    static torch::Tensor inverseRmsOf(const torch::Tensor& x, double eps) {
        return torch::rsqrt(x.pow(2).mean(-1, true) + eps);  // [..., 1]
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list gradOutputs) {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];            // [..., W]
        const auto& inverseRms = saved[1];   // [..., 1]
        const auto& weight = saved[2];       // [W]
        const auto& grad = gradOutputs[0];   // [..., W]
        const auto normed = x * inverseRms;  // [..., W]  x̂, recomputed
        const auto gradWeight = (grad * normed).reshape({-1, x.size(-1)}).sum(0);  // [W]
        // dx = r · (g·w − x̂ · mean(g·w · x̂))
        auto gradNormed = grad * weight;                               // [..., W]
        const auto projection = (gradNormed * normed).mean(-1, true);  // [..., 1]
        gradNormed.sub_(normed * projection).mul_(inverseRms);         // [..., W]
        return {gradNormed, gradWeight, torch::Tensor()};
    }
};

struct DifferentialMix : public torch::autograd::Function<DifferentialMix> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& probs,
                                 const torch::Tensor& lambda, const torch::Tensor& v) {
        ctx->save_for_backward({probs, lambda, v});
        return mix(probs, lambda, v);
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list gradOutputs) {
        const auto saved = ctx->get_saved_variables();
        const auto& probs = saved[0];   // [B, h, 2, T, T]
        const auto& lambda = saved[1];  // []
        const auto& v = saved[2];       // [B, h, T, e]
        const int64_t B = probs.size(0), h = probs.size(1), T = probs.size(3), e = v.size(3);
        const auto grad = gradOutputs[0].reshape({B * h, T, e});                              // [B·h, T, e]
        const auto combined = combine(probs, lambda).view({B * h, T, T});                     // [B·h, T, T]
        const auto gradV = batchedMatmul(combined.transpose(1, 2), grad).view({B, h, T, e});  // [B, h, T, e]
        const auto gradMap =
            batchedMatmul(grad, v.reshape({B * h, T, e}).transpose(1, 2)).view({B, h, T, T});  // [B, h, T, T]
        auto gradProbs = torch::empty_like(probs, torch::MemoryFormat::Contiguous);  // [B, h, 2, T, T]
        gradProbs.select(2, 0).copy_(gradMap);
        auto secondGrad = gradProbs.select(2, 1);  // [B, h, T, T]
        torch::mul_out(secondGrad, gradMap, -lambda);
        // λ is one number (DIFF) or one per head and query row (DIFF V2): sum over what it was broadcast to.
        const auto products = gradMap * probs.select(2, 1);  // [B, h, T, T]
        const auto gradLambda = lambda.dim() == 0 ? -products.sum() : -products.sum(-1, true);  // λ's shape
        return {gradProbs, gradLambda, gradV};
    }

    static torch::Tensor combine(const torch::Tensor& probs, const torch::Tensor& lambda) {
        return torch::addcmul(probs.select(2, 0), probs.select(2, 1), -lambda);  // [B, h, T, T]
    }

    static torch::Tensor mix(const torch::Tensor& probs, const torch::Tensor& lambda,
                             const torch::Tensor& v) {
        const int64_t B = probs.size(0), h = probs.size(1), T = probs.size(3), e = v.size(3);
        const auto combined = combine(probs, lambda).view({B * h, T, T});             // [B·h, T, T]
        return batchedMatmul(combined, v.reshape({B * h, T, e})).view({B, h, T, e});  // [B, h, T, e]
    }
};

}  // namespace

bool needsGraph(std::initializer_list<torch::Tensor> inputs) {
    if (!torch::GradMode::is_enabled()) return false;
    for (const auto& t : inputs)
        if (t.requires_grad()) return true;
    return false;
}

torch::Tensor swigluDown(const torch::Tensor& gateUp, const torch::Tensor& w2) {
    if (needsGraph({gateUp, w2})) return SwigluDown::apply(gateUp, w2);
    const auto halves = gateUp.chunk(2, -1);                           // 2 × [..., F]
    return torch::matmul(torch::silu(halves[0]) * halves[1], w2.t());  // [..., D]
}

torch::Tensor leanRmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    if (needsGraph({x, weight})) return RmsNormFunction::apply(x, weight, eps);
    return x * RmsNormFunction::inverseRmsOf(x, eps) * weight;  // [..., W]
}

torch::Tensor differentialMix(const torch::Tensor& probs, const torch::Tensor& lambda,
                              const torch::Tensor& v) {
    if (needsGraph({probs, lambda, v})) return DifferentialMix::apply(probs, lambda, v);
    return DifferentialMix::mix(probs, lambda, v);
}

}  // namespace needlescope
