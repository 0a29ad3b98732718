#pragma once
// Next-token cross-entropy from logits, optionally weighted per target (the answer-only needle objective).
#include <torch/torch.h>

namespace needlescope {

// logits [B, T, V], targets [B, T] int64, weights [B, T] (undefined = every target weighs 1) → [] loss:
// the mean cross-entropy, or Σ w·ce / Σ w with weights (a target of weight 0 sends no gradient).
torch::Tensor nextTokenLoss(const torch::Tensor& logits, const torch::Tensor& targets,
                            const torch::Tensor& weights = {});

}  // namespace needlescope
