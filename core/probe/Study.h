#pragma once
// The study (DESIGN §4): K seeds of paired runs probed on identical prompts, summarised per model kind and
// depth with 95 % bootstrap intervals over seeds × samples, and the paired comparison of a kind against
// the standard model: an exact sign-flip test over seeds on the per-seed mean difference, and McNemar's
// exact test on per-prompt retrieval. Reads only stored ProbeRow records, so a report can be rebuilt
// from the store at any time.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/probe/ProbeReport.h"
#include "core/probe/Statistics.h"
#include "core/store/StoreTypes.h"

namespace needlescope {

// One run of the study with the probe rows to analyse (one step, context length and needle count).
struct StudyRun {
    int64_t runId = 0;
    std::string kind;
    uint64_t seed = 0;  // the paired runs of one seed share it
    std::vector<ProbeRow> rows;
    int64_t stepsTo95 = -1;  // first probed step with retrieval ≥ 95 % (−1: never)
    double minutesTo95 = -1;
};

// One placement of one run: the per-sample mean over heads then layers, and the retrieval outcome.
struct SampleOutcome {
    double depth = 0;
    int64_t sample = 0;
    BucketMeans means;
    bool hit = false;
};
std::vector<SampleOutcome> sampleOutcomes(const std::vector<ProbeRow>& rows);  // by depth, then sample

struct KindDepthStats {
    Interval answer, noise, accuracy;  // over seeds × samples
    double ratio = 0;                  // answer.mean / noise.mean
};

struct PairedDepthStats {
    Interval answerDiff, noiseDiff;        // (kind − baseline) per prompt, clustered by seed
    SignFlipResult answerTest, noiseTest;  // over the per-seed mean differences
    McNemarResult retrieval;               // first = kind, second = baseline
};

struct StudyAnalysis {
    Normalisation norm = Normalisation::Signed;
    std::vector<std::string> kinds;  // in first-seen order; kinds[0] is the baseline of the comparisons
    std::vector<uint64_t> seeds;
    std::vector<double> depths;
    int64_t contextLength = 0, step = 0, samplesPerDepth = 0;
    int64_t promptSeed = 0;  // the probe prompts' seed (0: the training-time probes' prompts)
    std::map<std::string, std::vector<KindDepthStats>> perKind;   // kind → per depth
    std::map<std::string, std::vector<PairedDepthStats>> paired;  // kind (≠ baseline) → per depth
    std::map<std::string, PairedDepthStats> pairedAllDepths;      // every depth pooled
    std::map<std::string, std::vector<int64_t>> stepsTo95;        // kind → per seed (−1: never)
    std::map<std::string, std::vector<double>> minutesTo95;
    std::map<std::string, std::vector<ProbeSummary>> summaries;  // kind → one per seed (per layer/head)
    int64_t flaggedRows = 0, rows = 0;
    bool ratioUndefined = false;     // some answer / noise left n/a: the noise interval reached 0
    std::vector<std::string> notes;  // e.g. "K = 3 seeds: a sign-flip test cannot reach p < 0.05 (needs 6)"
};

// Throws Error when the runs are not paired: every seed must hold one run of each kind, probed at the
// same depths and samples.
StudyAnalysis analyzeStudy(const std::vector<StudyRun>& runs, Normalisation norm = Normalisation::Signed);

// The report in Markdown; the "Reproduce:" line only when `command` is not empty.
std::string studyMarkdown(const StudyAnalysis& study, const std::string& title, const std::string& command);
std::string studyCsv(
    const StudyAnalysis& study);  // one row per (kind, depth), then one per (kind, depth) pair
nlohmann::json studyJson(const StudyAnalysis& study);

// "steps to 95 %": the first step whose metric `retrieval` is ≥ 0.95, or −1.
int64_t firstStepAtLeast(const std::vector<MetricPoint>& retrieval, double threshold = 0.95);

}  // namespace needlescope
