#pragma once
// What one layer's attention really did on a forward pass, for the probe and the heatmaps.
#include <torch/types.h>

#include <vector>

namespace needlescope {

struct LayerAttention {
    torch::Tensor effective;  // [B, H, R, T]  standard A, or DIFF A1 − λ·A2 (signed; rows sum to 1 − λ)
    torch::Tensor a1;         // [B, H, R, T]  DIFF only (undefined for standard)
    torch::Tensor a2;         // [B, H, R, T]  DIFF only (undefined for standard)
    double lambda = 0.0;      // DIFF λ of this layer; 0 for standard
    double lambdaInit = 0.0;  // DIFF λ_init of this layer; 0 for standard
};

struct AttentionCapture {
    std::vector<int64_t> rows;           // the query positions captured (all positions when none were chosen)
    std::vector<LayerAttention> layers;  // one per layer, on the CPU
    torch::Tensor logits;  // [B, T − firstLogit, V] (capture's firstLogit; all positions by default)
};

}  // namespace needlescope
