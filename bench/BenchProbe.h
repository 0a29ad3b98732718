#pragma once
// `needlescope-cli bench probe`: one needle-probe placement (forward + attention capture of the query row
// + buckets for every layer and head + retrieval check) on a `quick`-sized model with random weights, and
// the Inspect view's placement (the same with its heatmap rows) with its time outside the forward.
#include <cstdint>
#include <vector>

#include "core/model/ModelConfig.h"

namespace needlescope::bench {

struct ProbeBenchOptions {
    std::vector<int64_t> contexts = {256, 512};
    std::vector<ModelKind> models = {ModelKind::Standard, ModelKind::Diff, ModelKind::Diff2};
    int threads = 0;  // 0 = all cores
    int warmup = 3;
    int repeats = 15;           // timed placements; the median is reported
    bool questionMean = false;  // mean over the question rows instead of the last token
};

// The model shape: the `quick` preset's width, heads, layers and vocabulary (d_model 256, 8 heads,
// 4 layers, vocab 8192 without it), with the context raised to fit the longest probe.
ModelConfig probeBenchModel(ModelKind kind, int64_t maxContext);

int runProbeBench(const ProbeBenchOptions& options);  // prints the table; returns 0

}  // namespace needlescope::bench
