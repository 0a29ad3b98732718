#pragma once
// Training and validation batches: packed contiguous chunks of the token stream, no padding.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace needlescope {

struct Batch {
    torch::Tensor inputs;   // [B, T] int64
    torch::Tensor targets;  // [B, T] int64, inputs shifted left by one token
    torch::Tensor weights;  // [B, T] float32 loss weight of each target; undefined = every target weighs 1
};

// Chunk c covers tokens [c·T, c·T + T] (T + 1 tokens; neighbours share one token, so every token but
// the first is a target exactly once per epoch). Each epoch visits the chunks in a permutation drawn
// from (seed, epoch) with a portable generator, so the order is the same on every platform; the
// chunks left over after the last full batch differ from epoch to epoch.
class Batcher {
  public:
    // Throws Error when the tokens do not fill one batch.
    Batcher(std::shared_ptr<const std::vector<int32_t>> tokens, int64_t context, int64_t batchSize,
            uint64_t seed);

    Batch next();  // advances; wraps into the next epoch with a new permutation
    int64_t position() const { return position_; }  // batches served so far (saved with checkpoints)
    void seek(int64_t position);  // the next batch equals what an uninterrupted run would get there
    int64_t batchesPerEpoch() const { return batchesPerEpoch_; }
    int64_t epoch() const { return position_ / batchesPerEpoch_; }
    int64_t chunkCount() const { return chunkCount_; }
    int64_t context() const { return context_; }
    int64_t batchSize() const { return batchSize_; }

  private:
    const std::vector<int64_t>& orderOf(int64_t epoch);

    std::shared_ptr<const std::vector<int32_t>> tokens_;
    int64_t context_;
    int64_t batchSize_;
    uint64_t seed_;
    int64_t chunkCount_ = 0;
    int64_t batchesPerEpoch_ = 0;
    int64_t position_ = 0;
    int64_t orderEpoch_ = -1;  // the epoch whose permutation order_ holds
    std::vector<int64_t> order_;
};

// The same chunks as Batcher, in order from the start of `tokens`: full batches only, at most
// `maxBatches` of them (0 = all). When the tokens fill fewer than one batch, one smaller batch is
// returned. Throws Error when they do not fill a single chunk.
std::vector<Batch> validationBatches(const std::vector<int32_t>& tokens, int64_t context, int64_t batchSize,
                                     int64_t maxBatches);

}  // namespace needlescope
