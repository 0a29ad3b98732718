#pragma once
// What the trainer needs of a training curriculum: something that rewrites some rows of each training batch
// before the models see it (validation batches are never touched). The trainer knows no implementation;
// the retrieval curriculum (needle tasks) lives in the probe layer and comes in through ExperimentHooks.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/train/TrainConfig.h"

namespace needlescope {

struct Batch;
class Tokenizer;

class TrainingCurriculum {
  public:
    virtual ~TrainingCurriculum() = default;
    // Rewrites rows of `batch`, the batch at 0-based position `batchPosition` of the batcher; the same
    // position must always give the same rows, so a resumed run sees the same data. Returns how many rows
    // were replaced.
    virtual int64_t apply(Batch& batch, int64_t batchPosition) const = 0;
};

// What a curriculum is built from: the run's config, its tokenizer and training split, and the model's
// training context. `tokenizer` and `trainTokens` outlive the curriculum.
struct CurriculumRequest {
    const TrainConfig& config;
    const Tokenizer& tokenizer;
    std::shared_ptr<const std::vector<int32_t>> trainTokens;
    int64_t context = 0;
    std::function<void(const std::string&)> log;  // the experiment's log (its TrainingSink)
};

// Builds the curriculum a config asks for (nullptr when it asks for none); throws Error when it cannot.
using CurriculumFactory = std::function<std::unique_ptr<TrainingCurriculum>(const CurriculumRequest&)>;

}  // namespace needlescope
