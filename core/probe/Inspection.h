#pragma once
// One interactive needle placement for the workbench (Inspect and Compare views): plain data in, plain
// data out, in the probe's own types (TokenSpan, RowBuckets, BucketMeans, Normalisation). No LibTorch in
// this header, so Qt code may include it. Everything is computed by core/probe: the prompt builder places the
// needle, computeBuckets splits the query row, meanOverHeadsThenLayers averages, scoreTeacherForced checks
// retrieval, selectAndSummarize aggregates stored probes (DESIGN §3–4).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/probe/Buckets.h"
#include "core/store/StoreTypes.h"
#include "core/util/Error.h"

namespace needlescope {

struct InspectionRequest {
    std::string checkpointPath;  // a checkpoint file (RunStore::checkpoints)
    std::string tokenizerModel;  // the run's sentencepiece model (run config "tokenizer_model")
    std::string dataRoot;        // corpus whose VALID split is the haystack (run config "data.root")

    // Optional custom texts; empty = the probe generator's needle / question for this placement.
    std::string needle;  // e.g. "The special magic number for Oslo is 4812337."
    std::string answer;  // the part of `needle` that answers; empty = its last run of digits
    std::string
        question;  // e.g. "What is the special magic number for Oslo? The special magic number for Oslo is"

    double depth = 50;          // percent, 0–100
    int64_t contextLength = 0;  // prompt tokens; 0 = the longest the model allows (room kept for the answer)
    uint64_t seed = 0;          // with `sample`: haystack window and generated needles (as in the probe)
    int64_t sample = 0;
    int needles = 1;  // N needle pairs, one queried (N − 1 distractors)

    // Heatmap rows: all query rows (contexts up to `fullRowsUpTo` tokens; longer ones keep the last
    // `tailRows` rows plus the question rows), or only the query row (the last prompt token).
    bool allRows = true;
    int64_t fullRowsUpTo = 256;
    int64_t tailRows = 128;
    bool components = true;  // DIFF / V2: also return A1 and A2 (V2: A_2i and A_2i+1)
};

enum class MapKind { Effective, A1, A2 };

struct InspectionResult {
    // Model.
    std::string kind;    // "standard" | "diff" | "diff2"
    bool diff = false;   // signed maps with A1 / A2 components: DIFF or DIFF V2
    bool diff2 = false;  // DIFF V2: λ per token and head (lambdaTokens) instead of one λ per layer
    int64_t layers = 0, heads = 0;  // heads per layer (DIFF: h/2)
    int64_t maxContext = 0;         // the model's maximum sequence length
    int64_t maxPromptLength = 0;    // longest prompt with room for the answer the retrieval check appends
    int64_t minPromptLength = 0;    // shortest prompt every sample's sink, needle(s) and question fit in
    std::vector<double> lambdas, lambdaInits;  // per layer (DIFF; V2: the mean λ of the query row, init 0)

    // Prompt: tokens and their pieces (one decoded string per token), exact spans.
    std::vector<int32_t> tokens;
    std::vector<std::string> pieces;
    TokenSpan sink, needle, answer, question;
    std::vector<TokenSpan> distractors;
    std::string needleText, answerText,
        questionText;  // as placed (custom or generated), without a leading space
    std::string generatedNeedle, generatedQuestion;  // the generator's texts for this placement
    bool custom = false;
    double depth = 0, placedDepth = 0;  // requested; actual (haystack before the needle / haystack, %)
    int64_t contextLength = 0;
    int64_t queryRow = 0;  // the last prompt token

    // Attention maps, layer-major [L][H][rows][cols]; cols = contextLength keys; rows = rowPositions.
    std::vector<int64_t> rowPositions;
    int64_t rows = 0, cols = 0;
    int64_t queryRowIndex = 0;             // index of queryRow in rowPositions
    std::vector<float> effective, a1, a2;  // a1 / a2 empty for standard (or components = false)
    std::vector<float> lambdaTokens;       // V2 only: λ of each captured row, layer-major [L][H][rows]

    // Buckets of the query row per head (layer-major) and their means.
    std::vector<RowBuckets> perHead;
    BucketMeans mean;
    std::vector<BucketMeans> perLayer;

    // Retrieval: greedy tokens up to (and including) the first that leaves the answer.
    std::vector<int32_t> greedyTokens;
    std::string greedyText;
    std::vector<std::string> greedyPieces;  // one decoded string per greedy token
    bool hit = false;

    // Timing of this call.
    double loadMs = 0;     // model / tokenizer / haystack loads (0 when all were cached)
    double computeMs = 0;  // prompt + forward + capture + buckets + copy
    double promptMs = 0;   // of which building the prompt (needle placement, spans, pieces)
    double forwardMs = 0;  // of which the forward with attention capture

    // Helpers. `map` returns nullptr when absent.
    const std::vector<float>& maps(MapKind which) const;
    const float* map(MapKind which, int64_t layer, int64_t head) const;                    // rows × cols
    const float* row(MapKind which, int64_t layer, int64_t head, int64_t rowIndex) const;  // cols
    const RowBuckets& buckets(int64_t layer, int64_t head) const {
        return perHead[size_t(layer * heads + head)];
    }
    int64_t rowIndexOf(int64_t position) const;  // −1 when that position is not a heatmap row
};

// A model whose maximum context cannot hold even one needle, its question and the answer: no placement
// of it can work, whatever the context, depth or needle count.
class ContextTooShortError : public Error {
  public:
    ContextTooShortError(int64_t maxContext, int64_t needed, const std::string& message)
        : Error(message), maxContext_(maxContext), needed_(needed) {}
    int64_t maxContext() const { return maxContext_; }
    int64_t needed() const { return needed_; }  // the shortest maximum context the needle task needs

  private:
    int64_t maxContext_ = 0, needed_ = 0;
};

// Caches the loaded models (by checkpoint path), tokenizers and haystacks (by tokenizer and data root),
// so a new placement only reruns prompt building, one forward with capture and the bucket sums.
// Not thread-safe: use one session per thread.
class InspectionSession {
  public:
    InspectionSession();
    ~InspectionSession();
    InspectionSession(const InspectionSession&) = delete;
    InspectionSession& operator=(const InspectionSession&) = delete;

    // Throws needlescope::Error with a readable message (missing checkpoint, context too long, depth out of
    // range, needle longer than the context, a custom needle without an answer, …).
    InspectionResult inspect(const InspectionRequest& request);

    void setModelCacheSize(size_t models);  // default 4
    void clear();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Answer and noise vs depth of one run at one step, from its stored probe rows, aggregated as the probe
// report does (per sample: mean over heads then layers; then mean ± std over samples).
struct DepthPoint {
    double depth = 0;
    double answerMean = 0, answerStd = 0, noiseMean = 0, noiseStd = 0;
    double accuracy = 0;
    int64_t samples = 0;
};
struct ProbeCurve {
    int64_t step = 0, contextLength = 0;
    std::vector<DepthPoint> points;  // ascending depth
};
// `step` unset = the latest stored step; a step without rows gives nullopt (as do empty rows).
std::optional<ProbeCurve> probeCurve(const std::vector<ProbeRow>& rows, std::optional<int64_t> step,
                                     Normalisation norm);

}  // namespace needlescope
