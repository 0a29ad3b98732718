#pragma once
// Summaries of stored probe rows, and the paper's Table 3 as text, CSV and JSON (DESIGN §4).
// Everything is computed from ProbeRow records, so a report reads the same numbers back from the store
// that the probe wrote.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/probe/Probe.h"
#include "core/store/StoreTypes.h"

namespace needlescope {

struct MeanStd {
    double mean = 0, std = 0;  // std: sample standard deviation (n − 1); 0 for one value; NaN for none
    int64_t n = 0;             // values that were not NaN
};
MeanStd meanStd(const std::vector<double>& values);  // NaN values are skipped

struct NormSummary {
    MeanStd sink, answer, noise, query;  // over samples of the per-sample mean over heads then layers
    double ratio = 0;                    // answer.mean / noise.mean (NaN when noise.mean is 0)
};

struct LayerHeadMeans {
    int64_t layer = 0, head = -1;            // head −1: the layer's mean over heads
    BucketValues signedNorm, absolute, raw;  // mean over samples
};

struct DepthSummary {
    double depth = 0;
    int64_t samples = 0;
    NormSummary signedNorm, absolute, raw;
    int64_t hits = 0;
    double accuracy = 0;  // hits / samples
    int64_t rows = 0, flaggedRows = 0;
    std::vector<LayerHeadMeans> perLayer;  // one per layer
    std::vector<LayerHeadMeans> perHead;   // one per (layer, head)
};

struct ProbeSummary {
    int64_t runId = 0;
    std::string label;  // e.g. "standard", "diff" or the run name
    std::string kind;
    int64_t step = 0, contextLength = 0, needles = 1;
    int64_t layers = 0, heads = 0;
    std::string query;                 // "last" / "question" when known (not stored with the rows)
    std::vector<DepthSummary> depths;  // ascending depth

    const NormSummary& norm(const DepthSummary& d, Normalisation which) const;
    int64_t flaggedRows() const;
    int64_t rows() const;
};

// Rows of one run at one (step, context length, needles): one summary. Throws Error when empty or mixed.
ProbeSummary summarizeProbe(const std::vector<ProbeRow>& rows);

// Which stored probe to summarise; unset fields pick: the latest step, then the longest context, then the
// fewest needles among the rows that remain.
struct ProbeSelection {
    std::optional<int64_t> step, contextLength, needles;
    // Probe settings: unset picks the default query "last", answer span "number" and the lowest seed when
    // they were probed, else what was.
    std::optional<std::string> query, answerSpan;
    std::optional<int64_t> probeSeed;
    std::vector<double> depths;  // empty = every stored depth
};
// The rows of one probe (one step, context, needle count and settings) of a run's stored rows. Throws Error
// naming the run when nothing matches.
std::vector<ProbeRow> selectProbeRows(const std::vector<ProbeRow>& runRows, const ProbeSelection& selection);
// summarizeProbe(selectProbeRows(...)).
ProbeSummary selectAndSummarize(const std::vector<ProbeRow>& runRows, const ProbeSelection& selection);

// The table in the form of the paper's Table 3: per normalisation, answer and noise per depth for every
// summary (mean ± std), then answer/noise, retrieval accuracy and flagged-row counts.
std::string formatProbeTable(const std::vector<ProbeSummary>& summaries,
                             const std::vector<Normalisation>& norms = {
                                 Normalisation::Signed, Normalisation::Absolute, Normalisation::Raw});
// One row per (summary, depth), every normalisation, mean and std, accuracy and counts; header first.
std::string probeCsv(const std::vector<ProbeSummary>& summaries);
// Every figure of every summary, per layer and per head included. NaN values become null.
nlohmann::json probeJson(const std::vector<ProbeSummary>& summaries);

}  // namespace needlescope
