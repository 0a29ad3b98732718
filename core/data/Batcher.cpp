#include "core/data/Batcher.h"

#include <random>
#include <string>
#include <utility>

#include "core/util/Error.h"

namespace needlescope {
namespace {

int64_t chunksIn(size_t tokenCount, int64_t context) {
    return tokenCount == 0 ? 0 : static_cast<int64_t>(tokenCount - 1) / context;
}

// One seed per (run seed, epoch), mixed with SplitMix64 so neighbouring epochs get unrelated orders.
uint64_t epochSeed(uint64_t seed, int64_t epoch) {
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(epoch) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Uniform in [0, bound) by rejection; std::uniform_int_distribution differs between standard libraries.
uint64_t uniformBelow(std::mt19937_64& generator, uint64_t bound) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t value = generator();
    while (value >= limit) value = generator();
    return value % bound;
}

// Copies chunks into a [rows, T] inputs tensor and its shifted targets.
Batch makeBatch(const std::vector<int32_t>& tokens, const std::vector<int64_t>& chunks, int64_t context) {
    const auto rows = static_cast<int64_t>(chunks.size());
    torch::Tensor inputs = torch::empty({rows, context}, torch::kLong);   // [B, T]
    torch::Tensor targets = torch::empty({rows, context}, torch::kLong);  // [B, T]
    int64_t* in = inputs.data_ptr<int64_t>();
    int64_t* out = targets.data_ptr<int64_t>();
    for (int64_t row = 0; row < rows; ++row) {
        const int32_t* chunk = tokens.data() + chunks[static_cast<size_t>(row)] * context;
        for (int64_t t = 0; t < context; ++t) {
            in[row * context + t] = chunk[t];
            out[row * context + t] = chunk[t + 1];
        }
    }
    return Batch{inputs, targets, {}};
}

void checkShape(int64_t context, int64_t batchSize) {
    if (context < 1)
        throw Error("Context length must be at least 1 token (got " + std::to_string(context) + ")");
    if (batchSize < 1) throw Error("Batch size must be at least 1 (got " + std::to_string(batchSize) + ")");
}

}  // namespace

Batcher::Batcher(std::shared_ptr<const std::vector<int32_t>> tokens, int64_t context, int64_t batchSize,
                 uint64_t seed)
    : tokens_(std::move(tokens)), context_(context), batchSize_(batchSize), seed_(seed) {
    checkShape(context, batchSize);
    if (!tokens_) throw Error("The batcher was given no tokens");
    chunkCount_ = chunksIn(tokens_->size(), context_);
    batchesPerEpoch_ = chunkCount_ / batchSize_;
    if (batchesPerEpoch_ == 0) {
        throw Error("The training split is too small: " + std::to_string(tokens_->size()) +
                    " tokens do not fill one batch of " + std::to_string(batchSize_) + " × (" +
                    std::to_string(context_) + " + 1) tokens; lower the batch size or the context length");
    }
}

const std::vector<int64_t>& Batcher::orderOf(int64_t epoch) {
    if (epoch == orderEpoch_) return order_;
    order_.resize(static_cast<size_t>(chunkCount_));
    for (int64_t i = 0; i < chunkCount_; ++i) order_[static_cast<size_t>(i)] = i;
    std::mt19937_64 generator(epochSeed(seed_, epoch));
    for (int64_t i = chunkCount_ - 1; i > 0; --i) {  // Fisher–Yates
        const auto j = static_cast<int64_t>(uniformBelow(generator, static_cast<uint64_t>(i + 1)));
        std::swap(order_[static_cast<size_t>(i)], order_[static_cast<size_t>(j)]);
    }
    orderEpoch_ = epoch;
    return order_;
}

Batch Batcher::next() {
    const int64_t epochIndex = position_ / batchesPerEpoch_;
    const int64_t first = (position_ % batchesPerEpoch_) * batchSize_;
    const std::vector<int64_t>& order = orderOf(epochIndex);
    const std::vector<int64_t> chunks(order.begin() + first, order.begin() + first + batchSize_);
    ++position_;
    return makeBatch(*tokens_, chunks, context_);
}

void Batcher::seek(int64_t position) {
    if (position < 0) throw Error("Cannot resume at batch " + std::to_string(position) + ": it is negative");
    position_ = position;
}

std::vector<Batch> validationBatches(const std::vector<int32_t>& tokens, int64_t context, int64_t batchSize,
                                     int64_t maxBatches) {
    checkShape(context, batchSize);
    const int64_t chunks = chunksIn(tokens.size(), context);
    if (chunks == 0) {
        throw Error("The validation split is too small: " + std::to_string(tokens.size()) +
                    " tokens do not fill one chunk of " + std::to_string(context) + " + 1 tokens");
    }
    int64_t count = chunks / batchSize;
    const int64_t rows = count == 0 ? chunks : batchSize;
    if (count == 0) count = 1;
    if (maxBatches > 0 && count > maxBatches) count = maxBatches;
    std::vector<Batch> batches;
    batches.reserve(static_cast<size_t>(count));
    std::vector<int64_t> ids(static_cast<size_t>(rows));
    for (int64_t b = 0; b < count; ++b) {
        for (int64_t r = 0; r < rows; ++r) ids[static_cast<size_t>(r)] = b * rows + r;
        batches.push_back(makeBatch(tokens, ids, context));
    }
    return batches;
}

}  // namespace needlescope
