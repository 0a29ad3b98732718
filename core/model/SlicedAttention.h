#pragma once
// Causal attention a few (batch, head) slices at a time, with the maps recomputed in backward (issue 10:
// peak training memory). The plain chain keeps every layer's [B, H, T, T] softmax for backward and builds
// two more maps of that size in backward; here only q, k and v are kept and a map exists only for the
// slices one thread is working on. The cost is one more Q·Kᵀ GEMM and softmax per slice in backward.
// Values and gradients equal the plain chain's (test_sliced_attention). CPU only: callers use the plain
// chain on other devices and whenever the maps themselves are wanted (Inspect, the probe).
#include <torch/torch.h>

#include "core/model/BlockSizes.h"

namespace needlescope {

// q, k: [S, P, T, d] — P = 1 (standard: one map per slice) or 2 (DIFF: A1 and A2 of one head);
// v: [S, T, e]; lambda: undefined (P = 1), [] (DIFF) or [S, T, 1] (DIFF V2: one per query row);
// mask: [T, T], 0 on and below the diagonal and −inf above (the decoder's causal mask).
// Returns [S, T, e] = M·v with M = softmax(q₁k₁ᵀ·scale + causal) for P = 1, or
// M = softmax(q₁k₁ᵀ·scale + causal) − λ·softmax(q₂k₂ᵀ·scale + causal) for P = 2.
// The slices are worked on in chunks of about chunkBytes of maps, spread over the threads (each thread's
// GEMMs then run single-threaded); the size is chosen in BlockSizes.h.
torch::Tensor slicedCausalAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const torch::Tensor& lambda, const torch::Tensor& mask, double scale,
                                    int64_t chunkBytes = kAttentionChunkBytes);

}  // namespace needlescope
