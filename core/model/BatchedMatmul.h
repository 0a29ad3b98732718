#pragma once
// Batched matrix product for attention. On CPU, LibTorch 1.13's bmm (without MKL) calls a
// multi-threaded BLAS GEMM once per batch item; for attention-sized matrices the per-call threading
// overhead dominates (measured 1.4–4 GFLOP/s on 2 cores). Here the batch is split across threads and
// each thread runs single-threaded GEMMs (OpenBLAS-OpenMP stays serial inside a parallel region):
// 4–15× faster. Differentiable; on CUDA it defers to torch::matmul.
#include <torch/torch.h>

namespace needlescope {

// a: [N, M, K], b: [N, K, P] (any strides) → [N, M, P]
torch::Tensor batchedMatmul(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace needlescope
