#include "core/model/Rope.h"

namespace needlescope {

RotaryEmbeddingImpl::RotaryEmbeddingImpl(int64_t headDim, int64_t maxContext, double base) {
    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    auto pairIndex = torch::arange(0, headDim / 2, opts);                 // [d/2]
    auto invFreq = torch::pow(base, -2.0 * pairIndex / double(headDim));  // [d/2]
    auto positions = torch::arange(0, maxContext, opts);                  // [T]
    auto angles = torch::outer(positions, invFreq);                       // [T, d/2]
    auto cosPairs = angles.cos().repeat_interleave(2, /*dim=*/1);         // [T, d]
    auto sign = torch::tensor({-1.0, 1.0}, opts).repeat({headDim / 2});   // [d]
    auto sinPairs = angles.sin().repeat_interleave(2, /*dim=*/1) * sign;  // [T, d]
    // Buffers (not parameters): they follow the module to its device and are a pure function of the config.
    cos_ = register_buffer("cos_cached", cosPairs.to(torch::kFloat32).unsqueeze(1));  // [T, 1, d]
    sin_ = register_buffer("sin_cached", sinPairs.to(torch::kFloat32).unsqueeze(1));  // [T, 1, d]
}

torch::Tensor RotaryEmbeddingImpl::forward(const torch::Tensor& x) const {
    const int64_t T = x.size(1);
    const int64_t d = x.size(3);
    auto cos = cos_.narrow(0, 0, T);  // [T, 1, d]
    auto sin = sin_.narrow(0, 0, T);  // [T, 1, d]
    // Swap the members of each pair: (x0,x1) → (x1,x0); with the signed sin this gives the rotation.
    auto swapped = x.unflatten(3, {d / 2, 2}).flip(-1).flatten(3);  // [B, T, N, d]
    return torch::addcmul(x * cos, swapped, sin);                   // [B, T, N, d]
}

}  // namespace needlescope
