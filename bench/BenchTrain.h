#pragma once
// `needlescope-cli bench train`: forward + backward + AdamW steps of every model kind on random tokens.
#include <string>
#include <vector>

#include "core/model/ModelConfig.h"

namespace needlescope::bench {

struct TrainBenchOptions {
    std::string config = "small";  // small | seed
    std::vector<ModelKind> models = {ModelKind::Standard, ModelKind::Diff, ModelKind::Diff2};
    int threads = 0;  // 0 = all cores
    int warmupSteps = 3;
    int timedSteps = 10;
    bool keepFreedMemory = true;  // mallopt tuning (DESIGN §6)
    std::string device = "cpu";
    std::string jsonPath;  // also write the figures here as JSON (empty: table only)
};

struct TrainBenchShape {
    ModelConfig model;
    int64_t seq = 0, batch = 0;
};
TrainBenchShape trainBenchShape(const std::string& name, ModelKind kind);  // throws Error on unknown names

// Model FLOPs per token: 6·P_matmul + 6·L·T·(w_qk + w_v) (tied head counted once, T×T in full).
double modelFlopsPerToken(const ModelConfig& config, int64_t seq);

int runTrainBench(const TrainBenchOptions& options);  // prints the table; returns 0

}  // namespace needlescope::bench
