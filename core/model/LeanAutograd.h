#pragma once
// Autograd functions that keep fewer activations for backward than the plain op chains would
// (issue 10: peak training memory). Both recompute cheap element-wise products in backward instead of
// storing them; their values and gradients equal the plain chains' (checked in test_lean_autograd).
#include <torch/torch.h>

namespace needlescope {

// True when autograd must record: grad mode is on and some input requires a gradient.
bool needsGraph(std::initializer_list<torch::Tensor> inputs);

// SwiGLU's second half: w2(silu(gate) · up) with gateUp = [gate | up] along the last dim.
// gateUp: [..., 2F], w2: [D, F] → [..., D]. Keeps gateUp only (the plain chain also keeps silu(gate)
// and the product: 2 more [..., F] tensors per layer).
torch::Tensor swigluDown(const torch::Tensor& gateUp, const torch::Tensor& w2);

// RMSNorm over the last dim, x · (mean(x²) + eps)^(−1/2) · weight. x: [..., W], weight: [W] → [..., W].
// Keeps x and the [..., 1] inverse RMS (the plain chain also keeps the normalised x).
torch::Tensor leanRmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// DIFF attention's value mix: (A1 − λ·A2) · V with probs = [A1, A2] stacked on dim 2.
// probs: [B, h, 2, T, T], lambda: [] (DIFF) or [B, h, T, 1] (DIFF V2: per head and query row),
// v: [B, h, T, e] → [B, h, T, e]. Keeps probs (which the softmax
// keeps anyway) and v; the plain chain also keeps the combined map [B, h, T, T] and, in backward,
// builds a full-size zero gradient for each of A1 and A2.
torch::Tensor differentialMix(const torch::Tensor& probs, const torch::Tensor& lambda,
                              const torch::Tensor& v);

}  // namespace needlescope
