#pragma once
// The tied LM head and its cross-entropy, a block of rows at a time (issue 10): the full [B·T, V] logits,
// their softmax and their gradient never exist at once. The gradients of the hidden states and of the head
// weight are computed in the forward pass, block by block (the loss is a scalar, so backward only scales
// them), which costs the same three GEMMs as the plain path and keeps O(rows·D + V·D) memory.
#include <torch/torch.h>

#include "core/model/BlockSizes.h"

namespace needlescope {

// hidden [N, D], weight [V, D], targets [N] int64, weights [N] (undefined = every row weighs 1) → [] loss:
// the mean of −log softmax(hidden·weightᵀ)[target], or Σ w·ce / Σ w with weights. Equal (≤ 1e-6) to
// nextTokenLoss(linear(hidden, weight), …) in value and gradients.
torch::Tensor chunkedLinearCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                        const torch::Tensor& targets, const torch::Tensor& weights = {},
                                        int64_t rowsPerBlock = 0);

// Rows per block so that one block's logits take about `bytes` (at least 1 row).
int64_t lmHeadRowsPerBlock(int64_t vocabSize, int64_t bytes = kLmHeadBlockBytes);

}  // namespace needlescope
