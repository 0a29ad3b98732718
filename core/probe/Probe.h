#pragma once
// The needle probe (DESIGN §4): for each seeded placement, one no-grad forward with attention capture of
// the chosen query row(s), bucket sums per (layer, head) in three normalisations, and a retrieval check.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/data/Tokenizer.h"
#include "core/model/Decoder.h"
#include "core/probe/Buckets.h"
#include "core/probe/Haystack.h"
#include "core/probe/PromptBuilder.h"
#include "core/probe/Retrieval.h"
#include "core/store/StoreTypes.h"

namespace needlescope {

enum class QueryMode {
    LastToken,     // the last prompt token's row (the one that predicts the answer) — the default
    QuestionMean,  // the mean of the question tokens' rows
};
enum class AnswerSpanMode {
    Number,       // answer bucket = the number's tokens — the default
    WholeNeedle,  // answer bucket = the whole needle sentence
};

std::string toString(QueryMode mode);                    // "last" | "question"
QueryMode queryModeFromString(const std::string& text);  // throws Error otherwise
std::string toString(AnswerSpanMode mode);               // "number" | "needle"
AnswerSpanMode answerSpanFromString(const std::string& text);

struct ProbeOptions {
    std::vector<double> depths = {0, 25, 50, 75, 100};  // percent
    int64_t contextLength = 0;  // prompt tokens; 0 = the longest that fits the model with the answer
    int64_t samples = 5;        // per depth; sample k is the same haystack and needles at every depth
    int needles = 1;            // N pairs in total, one queried
    QueryMode query = QueryMode::LastToken;
    AnswerSpanMode answerSpan = AnswerSpanMode::Number;
    uint64_t seed = 0;
};

struct HeadBuckets {
    int64_t layer = 0, head = 0;
    RowBuckets buckets;
};

// How one placement is probed.
struct PlacementOptions {
    QueryMode query = QueryMode::LastToken;
    AnswerSpanMode answerSpan = AnswerSpanMode::Number;
    // Further query rows whose maps the caller reads (a heatmap's rows): captured in the same forward and
    // kept in PlacementResult::capture. Empty = only the query row(s), and no capture kept.
    std::vector<int64_t> mapRows;
};

struct PlacementResult {
    Prompt prompt;
    std::vector<HeadBuckets> heads;  // layer-major: (0,0), (0,1), …
    int64_t layers = 0, headsPerLayer = 0;
    std::vector<double> lambdas;  // DIFF λ per layer; V2 the query row's mean λ per layer; empty for standard
    RetrievalResult retrieval;
    BucketMeans mean;  // over heads then layers
    std::vector<BucketMeans> perLayer;
    // Only with PlacementOptions::mapRows: the forward's capture of mapRows ∪ query rows (sorted, unique;
    // capture.rows says which), its logits from the last prompt position on.
    AttentionCapture capture;
    double forwardMs = 0;  // the forward with capture
};

struct ProbeResult {
    int64_t contextLength = 0;
    std::vector<PlacementResult> placements;  // depth-major, then sample
    std::vector<ProbeRow> rows;               // one per (depth, sample, layer, head), ready for the store
    // One line per sample where two requested depths put the needle at the same position (a short haystack
    // has few boundaries): those depths measure the same prompt.
    std::vector<std::string> warnings;
};

// Means of per-(layer, head) buckets: over heads within each layer, then over layers.
BucketMeans meanOverHeadsThenLayers(const std::vector<HeadBuckets>& heads);
BucketMeans meanOverHeadsThenLayers(const std::vector<ProbeRow>& rows);  // same rule on stored rows

// One placement: a no-grad forward (DecoderImpl::capture, logits only from the last prompt position on)
// over prompt + answer[0 .. n−2] on the model's device, capturing the query row(s) (and options.mapRows),
// then buckets per (layer, head) and the retrieval check. Needs no tokenizer (the prompt carries its spans).
PlacementResult probePlacement(DecoderImpl& model, const Prompt& prompt,
                               const PlacementOptions& options = {});

class NeedleProbe {
  public:
    // Both are referenced, not copied: they must outlive the probe.
    NeedleProbe(const Tokenizer& tokenizer, const Haystack& haystack);

    // Most tokens an answer can take (" d000000" for d = 1…9): the retrieval check appends n − 1 of them.
    int64_t maxAnswerTokens() const { return maxAnswerTokens_; }
    // The prompt length to use for `model`, or Error when the options do not fit it (context over the
    // model's maximum, no room for the answer, depth outside 0–100, needle longer than the context …).
    int64_t resolveContext(const ProbeOptions& options, const ModelConfig& model) const;

    // The prompts of a probe, depth-major then sample: they depend on the options and the tokenizer only,
    // so every model probed with the same options gets the very same prompts.
    std::vector<Prompt> prompts(const ProbeOptions& options, int64_t contextLength) const;

    // Every placement; rows carry runId and step. `progress(done, total)` is called after each placement.
    ProbeResult run(DecoderImpl& model, const ProbeOptions& options, int64_t runId, int64_t step,
                    const std::function<void(int64_t, int64_t)>& progress = {}) const;

    const PromptBuilder& builder() const { return builder_; }

  private:
    const Tokenizer& tokenizer_;
    PromptBuilder builder_;
    int64_t maxAnswerTokens_ = 0;
};

}  // namespace needlescope
