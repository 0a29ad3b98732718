#pragma once
// Block sizes of the memory-saving training paths, in one torch-free place, so that the memory estimate
// (core/train/MemoryEstimate) counts what those paths really hold at once.
#include <cstdint>

namespace needlescope {

// Attention maps per work item of the sliced training attention (core/model/SlicedAttention).
constexpr int64_t kAttentionChunkBytes = int64_t(8) << 20;
// Logits per row block of the chunked LM head and its cross-entropy (core/model/ChunkedLoss).
constexpr int64_t kLmHeadBlockBytes = int64_t(4) << 20;

}  // namespace needlescope
