#pragma once
// How a training run reports to whoever drives it (CLI progress line, UI worker). The trainer knows
// nothing about either; calls come from the training thread.
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/ModelConfig.h"
#include "core/store/StoreTypes.h"

namespace needlescope {

struct TrainingProgress {
    int64_t step = 0;  // steps completed (shared by the models of a paired experiment)
    int64_t totalSteps = 0;
    int64_t tokensSeen = 0;      // per model
    double tokensPerSecond = 0;  // all models together
    double elapsedSeconds = 0;
    double etaSeconds = 0;
};

struct ModelMetrics {
    int64_t runId = 0;
    ModelKind kind = ModelKind::Standard;
    int64_t step = 0;
    int64_t tokens = 0;
    double trainLoss = 0;
    double lr = 0;
    double gradNorm = 0;
    bool hasValidation = false;
    double valLoss = 0, valPerplexity = 0;
    double wallTime = 0,
           valWallTime = 0;       // seconds of training (pauses excluded), as stored with the metrics
    std::vector<double> lambdas;  // one per layer: DIFF λ, or DIFF V2 mean λ_t of the step; empty: standard
};

class TrainingSink {
  public:
    virtual ~TrainingSink() = default;
    virtual void onLog(const std::string& /*line*/) {}
    virtual void onRunsCreated(const std::vector<int64_t>& /*runIds*/, const std::string& /*group*/) {}
    virtual void onMetrics(const ModelMetrics& /*metrics*/) {}
    virtual void onProgress(const TrainingProgress& /*progress*/) {}
    // How the run ended: Finished, Interrupted (stopped, or a write failed; resumable), Cancelled or Failed
    // (the error itself is thrown to whoever started the run).
    virtual void onFinished(RunStatus /*status*/) {}
};

}  // namespace needlescope
