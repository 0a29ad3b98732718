#pragma once
// Pure arithmetic on one attention row (DESIGN §4): how the row's weight over the keys splits into
// sink / answer / noise / query, in three normalisations. No LibTorch, no model.
//   raw       bucket sums of the weights as the model used them (a DIFF row sums to 1 − λ)
//   absolute  bucket sums of |a|, divided by Σ|a| over the row (sums to 1; keeps negative mass visible)
//   signed    bucket sums of a, divided by the row's signed total Σa (sums to 1). A row whose signed
//             total is below kSignedFlagFraction of Σ|a| (≤ 0 included: DIFF with λ ≥ 1) is flagged and its
//             signed values are NaN — never divided by a tiny or negative total.
#include <cstdint>
#include <string>

#include "core/probe/PromptBuilder.h"
#include "core/store/StoreTypes.h"

namespace needlescope {

// Which keys fall in which bucket. Keys at or after `contextLength` (e.g. the answer tokens appended for
// the retrieval check, which a causal row cannot see anyway) are ignored; every key in [0, contextLength)
// outside sink, answer and query is noise. Overlaps resolve in the order sink, answer, query.
// Rows whose signed total Σa is below this fraction of Σ|a| are flagged (signed values NaN).
inline constexpr double kSignedFlagFraction = 0.05;

struct BucketSpans {
    TokenSpan sink;
    TokenSpan answer;
    TokenSpan query;
    int64_t contextLength = 0;
};

struct RowBuckets {
    BucketValues signedNorm, absolute, raw;
    double signedTotal = 0;    // Σ a over the keys in [0, contextLength)
    double absoluteTotal = 0;  // Σ |a|
    bool flagged = false;      // signedTotal < kSignedFlagFraction · absoluteTotal: signedNorm is NaN
};

// Mean over heads, then over layers (the paper's aggregate), skipping NaN values (flagged rows' signed
// values) — a layer whose heads are all NaN in a field is left out of that field's mean over layers.
// Computed by meanOverHeadsThenLayers (core/probe/Probe.h).
struct BucketMeans {
    BucketValues signedNorm, absolute, raw;
    double signedTotal = 0;
    int64_t rows = 0;
    int64_t flaggedRows = 0;
};

enum class Normalisation { Signed, Absolute, Raw };
std::string toString(Normalisation norm);  // "signed" | "absolute" | "raw"
const BucketValues& pick(const RowBuckets& buckets, Normalisation norm);
const BucketValues& pick(const BucketMeans& means, Normalisation norm);

// `row` holds at least spans.contextLength weights (one per key position).
RowBuckets computeBuckets(const float* row, int64_t length, const BucketSpans& spans);

// answer / noise; NaN when noise is 0 or either is NaN.
double answerNoiseRatio(const BucketValues& values);

}  // namespace needlescope
