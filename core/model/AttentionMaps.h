#pragma once
// What one layer's attention really did on a forward pass, for the probe and the heatmaps.
#include <torch/types.h>

#include <vector>

namespace needlescope {

struct LayerAttention {
    torch::Tensor effective;  // [B, H, R, T]  standard A, or DIFF / V2 A1 − λ·A2 (signed; rows sum to 1 − λ)
    torch::Tensor a1;         // [B, H, R, T]  DIFF A1, V2 A_2i (undefined for standard)
    torch::Tensor a2;         // [B, H, R, T]  DIFF A2, V2 A_2i+1 (undefined for standard)
    torch::Tensor lambdaPerToken;  // [B, H, R]  V2 only: λ of each captured query row and head
    double lambda = 0.0;           // DIFF λ of this layer; V2 the mean of lambdaPerToken; 0 for standard
    double lambdaInit = 0.0;       // DIFF λ_init of this layer; 0 for standard and V2
};

struct AttentionCapture {
    std::vector<int64_t> rows;           // the query positions captured (all positions when none were chosen)
    std::vector<LayerAttention> layers;  // one per layer, on the CPU
    torch::Tensor logits;  // [B, T − firstLogit, V] (capture's firstLogit; all positions by default)
};

}  // namespace needlescope
