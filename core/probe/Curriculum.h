#pragma once
// Retrieval curriculum (training option, DESIGN §5): a fraction of the training sequences become needle
// tasks built from the TRAIN split — haystack, needle at a random depth, optional distractors, the cloze
// question and then the answer — so small models learn to retrieve and the probe measures something real.
// Validation batches are never touched.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/data/Batcher.h"
#include "core/data/Tokenizer.h"
#include "core/probe/Haystack.h"
#include "core/probe/PromptBuilder.h"

namespace needlescope {

struct CurriculumSettings {
    double fraction = 0.25;  // share of training sequences replaced, 0–1
    uint64_t seed = 0;       // with the batch position and row, decides which rows and what they hold
    int maxNeedles = 2;      // each task holds 1…maxNeedles needles (one queried, the rest distractors)
};

class Curriculum {
public:
    // `tokenizer` must outlive the curriculum; `trainTokens` is shared, not copied. `context` is the
    // model's training context T (sequences are T + 1 tokens: inputs and shifted targets).
    // Throws Error when a needle task does not fit in the context.
    Curriculum(const Tokenizer& tokenizer, std::shared_ptr<const std::vector<int32_t>> trainTokens,
               int64_t context, CurriculumSettings settings);
    ~Curriculum();

    // Replaces some rows of `batch` (the batch at 0-based position `batchPosition` of the batcher) by
    // needle tasks; the same position always gives the same rows, so a resumed run sees the same data.
    // Returns how many rows were replaced.
    int64_t apply(Batch& batch, int64_t batchPosition) const;

    // One task of exactly context + 1 tokens, ending with the answer: prompt + answer tokens.
    struct Task {
        std::vector<int32_t> tokens;
        Prompt prompt;  // spans refer to positions in `tokens`
    };
    Task task(uint64_t seed) const;

    const CurriculumSettings& settings() const { return settings_; }

private:
    const Tokenizer& tokenizer_;
    std::unique_ptr<Haystack> haystack_;
    std::unique_ptr<PromptBuilder> builder_;
    int64_t context_ = 0;
    int64_t maxAnswer_ = 0;
    CurriculumSettings settings_;
};

}  // namespace needlescope
