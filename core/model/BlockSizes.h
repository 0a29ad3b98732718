#pragma once
// Block sizes of the memory-saving training paths, in one torch-free place, so that the memory estimate
// (core/train/MemoryEstimate) counts what those paths really hold at once.
#include <cstdint>

namespace needlescope {

// Attention maps per work item of the sliced training attention (core/model/SlicedAttention): small enough
// that a chunk's maps stay in cache between the softmax and the GEMMs that read them. bench small, 2 threads
// (chunks on both threads, head 4 MiB): 8 MiB 3,940-4,020 tokens/s, 2 MiB 4,140-4,190, 1 MiB 4,000-4,250.
constexpr int64_t kAttentionChunkBytes = int64_t(1) << 20;
// Logits per row block of the chunked LM head and its cross-entropy (core/model/ChunkedLoss): wider blocks
// make wider GEMMs. bench small (attention 1 MiB): 8 MiB 4,080-4,480 tokens/s, 16 MiB 4,350-4,700;
// 32 MiB would pass the 660 MB peak-RSS target.
constexpr int64_t kLmHeadBlockBytes = int64_t(16) << 20;

}  // namespace needlescope
