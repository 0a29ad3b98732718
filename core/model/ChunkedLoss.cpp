#include "core/model/ChunkedLoss.h"

#include <algorithm>

namespace needlescope {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Σ w·ce over the rows, a block at a time; with `gradHidden`/`gradWeight` also d(Σ w·ce / denominator)
// with respect to hidden and weight.
torch::Tensor weightedCrossEntropySum(const torch::Tensor& hidden, const torch::Tensor& weight,
                                      const torch::Tensor& targets, const torch::Tensor& rowWeights,
                                      const torch::Tensor& denominator, int64_t block,
                                      torch::Tensor* gradHidden, torch::Tensor* gradWeight) {
    const int64_t N = hidden.size(0);
    auto total = torch::zeros({}, hidden.options().dtype(torch::kFloat32));  // []
    for (int64_t r0 = 0; r0 < N; r0 += block) {
        const int64_t n = std::min(block, N - r0);
        const auto h = hidden.narrow(0, r0, n);                                               // [n, D]
        const auto t = targets.narrow(0, r0, n).unsqueeze(1);                                 // [n, 1]
        const auto w = rowWeights.narrow(0, r0, n);                                           // [n]
        auto logProbs = torch::log_softmax(torch::mm(h, weight.t()).to(torch::kFloat32), 1);  // [n, V]
        total -= (logProbs.gather(1, t).squeeze(1) * w).sum();                                // []
        if (!gradHidden) continue;
        // d ce / d logits = softmax − onehot(target), times the row's share of the weighted mean; built in
        // the log-probabilities' buffer (their last use was the gather above).
        auto dLogits = logProbs.exp_();  // [n, V]
        dLogits.scatter_add_(1, t, -torch::ones({n, 1}, dLogits.options()));
        dLogits.mul_((w / denominator).unsqueeze(1));
        dLogits = dLogits.to(hidden.scalar_type());                      // [n, V]
        gradHidden->narrow(0, r0, n).copy_(torch::mm(dLogits, weight));  // [n, D]
        gradWeight->addmm_(dLogits.t(), h);                              // [V, D]
    }
    return total;
}

struct LinearCrossEntropy : public torch::autograd::Function<LinearCrossEntropy> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& hidden,
                                 const torch::Tensor& weight, const torch::Tensor& targets,
                                 const torch::Tensor& rowWeights, int64_t block) {
        const auto denominator = rowWeights.sum().clamp_min(1e-12);                    // []
        auto gradHidden = torch::empty_like(hidden);                                   // [N, D]
        auto gradWeight = torch::zeros_like(weight, torch::MemoryFormat::Contiguous);  // [V, D]
        const auto total = weightedCrossEntropySum(hidden, weight, targets, rowWeights, denominator, block,
                                                   &gradHidden, &gradWeight);
        ctx->save_for_backward({gradHidden, gradWeight});
        return (total / denominator).to(hidden.scalar_type());  // []
    }

    // The loss is a scalar: its input gradients are the ones computed in forward, scaled.
    static tensor_list backward(AutogradContext* ctx, tensor_list gradOutputs) {
        const auto saved = ctx->get_saved_variables();
        const auto& g = gradOutputs[0];  // []
        return {saved[0] * g, saved[1] * g, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

int64_t lmHeadRowsPerBlock(int64_t vocabSize, int64_t bytes) {
    return std::max<int64_t>(1, bytes / (std::max<int64_t>(1, vocabSize) * 4));
}

torch::Tensor chunkedLinearCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                        const torch::Tensor& targets, const torch::Tensor& weights,
                                        int64_t rowsPerBlock) {
    const int64_t block = rowsPerBlock > 0 ? rowsPerBlock : lmHeadRowsPerBlock(weight.size(0));
    const auto rowWeights = weights.defined()
                                ? weights.reshape({-1}).to(torch::kFloat32)  // [N]
                                : torch::ones({hidden.size(0)}, hidden.options().dtype(torch::kFloat32));
    const auto flatTargets = targets.reshape({-1});  // [N]
    if (!torch::GradMode::is_enabled() || !(hidden.requires_grad() || weight.requires_grad())) {
        torch::NoGradGuard noGrad;  // evaluation: the same blocks, no gradients kept
        const auto denominator = rowWeights.sum().clamp_min(1e-12);  // []
        return (weightedCrossEntropySum(hidden, weight, flatTargets, rowWeights, denominator, block, nullptr,
                                        nullptr) /
                denominator)
            .to(hidden.scalar_type());  // []
    }
    return LinearCrossEntropy::apply(hidden, weight, flatTargets, rowWeights, block);
}

}  // namespace needlescope
