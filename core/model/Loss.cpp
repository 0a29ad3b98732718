#include "core/model/Loss.h"

namespace needlescope {

torch::Tensor nextTokenLoss(const torch::Tensor& logits, const torch::Tensor& targets,
                            const torch::Tensor& weights) {
    namespace F = torch::nn::functional;
    auto flat = logits.reshape({-1, logits.size(-1)});                             // [B·T, V]
    if (!weights.defined()) return F::cross_entropy(flat, targets.reshape({-1}));  // []
    auto perToken = F::cross_entropy(flat, targets.reshape({-1}),
                                     F::CrossEntropyFuncOptions().reduction(torch::kNone));  // [B·T]
    auto w = weights.reshape({-1}).to(perToken.options());                                   // [B·T]
    return (perToken * w).sum() / w.sum().clamp_min(1e-12);                                  // []
}

}  // namespace needlescope
