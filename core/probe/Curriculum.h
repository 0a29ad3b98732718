#pragma once
// Retrieval curriculum (training option, DESIGN §4–5): a fraction of the training sequences become needle
// tasks built from the TRAIN split — haystack, N needles at random depths, then R cloze questions each
// followed by its answer — so small models learn to retrieve and the probe measures something real.
// The answer tokens can carry the loss of such a row (per-token weights on the batch): with answer-only
// loss the retrieval signal is the row's whole loss instead of ~1 % of it. Validation batches are never
// touched.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data/Batcher.h"
#include "core/data/Tokenizer.h"
#include "core/probe/Haystack.h"
#include "core/probe/PromptBuilder.h"
#include "core/train/NeedleObjective.h"
#include "core/train/TrainingCurriculum.h"

namespace needlescope {

struct CurriculumSettings {
    double fraction = 0.25;  // share of training sequences replaced, 0–1
    uint64_t seed = 0;       // with the batch position and row, decides which rows and what they hold
    std::vector<NeedleSet> sets = {{1, 1}, {2, 1}};  // each task draws one shape uniformly
    NeedleLoss loss;
    int64_t minContext = 0;  // shortest context a task is built for (context schedule); 0 = the full one
};

// The trainer sees it as a TrainingCurriculum (core/train), built by makeCurriculumFactory().
class Curriculum : public TrainingCurriculum {
  public:
    // `tokenizer` must outlive the curriculum; `trainTokens` is shared, not copied. `context` is the
    // model's training context T (sequences are T + 1 tokens: inputs and shifted targets).
    // Throws Error when a needle task does not fit in the context (or in settings.minContext).
    Curriculum(const Tokenizer& tokenizer, std::shared_ptr<const std::vector<int32_t>> trainTokens,
               int64_t context, CurriculumSettings settings);
    ~Curriculum() override;

    // Replaces some rows of `batch` (the batch at 0-based position `batchPosition` of the batcher) by
    // needle tasks of the batch's own length (≤ context); the same position always gives the same rows, so
    // a resumed run sees the same data. Unless the loss mode is All, sets batch.weights. Returns how many
    // rows were replaced.
    int64_t apply(Batch& batch, int64_t batchPosition) const override;

    // One task of exactly `length` + 1 tokens (length ≤ context; 0 = context): the prompt (ending with the
    // first question), its answer, then for each further queried needle ". " + question + answer; padded
    // with line breaks at the end.
    struct Task {
        std::vector<int32_t> tokens;
        Prompt prompt;                   // spans refer to positions in `tokens`
        std::vector<TokenSpan> answers;  // every queried answer's tokens in `tokens`, in order
        std::vector<Needle> queried;     // the needle each answer belongs to
        NeedleSet set;
    };
    Task task(uint64_t seed, int64_t length = 0) const;

    // Loss weights of one task's T target positions (target i is tokens[i + 1]) under `loss`; the row's
    // weights sum to T in every mode except Weighted.
    static std::vector<float> targetWeights(const Task& task, int64_t length, const NeedleLoss& loss);

    const CurriculumSettings& settings() const { return settings_; }

  private:
    void requireFits(int64_t length) const;

    const Tokenizer& tokenizer_;
    std::unique_ptr<Haystack> haystack_;
    std::unique_ptr<PromptBuilder> builder_;
    int64_t context_ = 0;
    int64_t maxAnswer_ = 0;           // most tokens an answer takes
    int64_t maxNeedle_ = 0;           // most tokens a needle sentence takes
    int64_t maxQuestion_ = 0;         // most tokens a question takes
    std::vector<int32_t> separator_;  // "." between an answer and the next question
    CurriculumSettings settings_;
};

}  // namespace needlescope
