#pragma once
// The loop over training steps once models, data and runs exist (a new experiment or a resumed one):
// every model trains on the same batch, metrics go to the store in batches, the models are evaluated,
// probed and checkpointed on the config's schedule, and the TrainingControl is obeyed between steps.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/store/StoreTypes.h"
#include "core/train/ExperimentHooks.h"
#include "core/train/TrainConfig.h"

namespace needlescope {

class Batcher;
class DistributedContext;
class ModelTrainer;
class RunStore;
class TrainingControl;
class TrainingSink;
struct Batch;
struct BatchShare;
struct ModelMetrics;

// The batches the models see.
struct TrainingData {
    Batcher& batcher;                                // positioned at the first batch to train on
    const std::vector<Batch>& validation;            // fixed validation batches
    const TrainingCurriculum* curriculum = nullptr;  // rewrites training batches; nullptr: none
};

// Which steps this session trains: 0-based `startStep` up to `totalSteps`.
struct StepRange {
    int64_t startStep = 0;
    int64_t totalSteps = 0;
    double priorSeconds = 0;  // wall time of the sessions before (a resume), counted in reported times
};

// Where the loop reports to and whom it listens to.
struct TrainingChannels {
    TrainingSink& sink;
    TrainingControl& control;
    const ExperimentHooks::ProbeHook& probe;  // may be empty
};

// Where the checkpoint of the model of `kind` at `step` is written.
using CheckpointPathFn = std::function<std::string(ModelKind kind, int64_t step)>;

class TrainingLoop {
  public:
    // Steps between writes of pending metrics to the store when no checkpoint falls due.
    static constexpr int64_t kMetricFlushEvery = 50;

    // Data-parallel (`distributed` set): every rank builds the same global batch and trains on its slice of
    // rows; the ranks agree on stop requests before each step; only rank 0 (`store` set) writes metrics and
    // checkpoints and probes. Other ranks pass no store.
    TrainingLoop(const TrainConfig& config, RunStore* store,
                 std::vector<std::unique_ptr<ModelTrainer>>& trainers, TrainingData data, StepRange steps,
                 TrainingChannels channels, CheckpointPathFn checkpointPath,
                 DistributedContext* distributed = nullptr);
    TrainingLoop(const TrainingLoop&) = delete;
    TrainingLoop& operator=(const TrainingLoop&) = delete;

    // Trains to the end (Finished) or until the control asks to stop (Interrupted: checkpointed first) or
    // cancel (Cancelled: metrics flushed, no checkpoint). Throws what training or the store throws.
    RunStatus run();

  private:
    int64_t tokensBefore(int64_t step) const;  // tokens trained on before 0-based `step`
    double elapsed() const;                    // training seconds since run() started (pauses excluded)
    Batch nextBatch(int64_t stepIndex);        // narrowed to the scheduled context, curriculum applied
    Batch shardOf(const Batch& global, BatchShare& share) const;  // this rank's rows and their loss share
    int agreedRequest(int request);  // the strongest stop request of any rank (one process: its own)
    // Sets step and tokens on each model's metrics; queues them for the store on logging steps.
    void recordTrainMetrics(int64_t step, std::vector<ModelMetrics>& metrics, double wall);
    void storeUnloggedStep();  // the last step's train metrics when log_every skipped it (before a stop)
    void evaluateAll(int64_t step, std::vector<ModelMetrics>& metrics);
    bool probeDue(int64_t step) const;
    void reportProgress(int64_t step);
    void saveAll(int64_t step);
    void flush();

    const TrainConfig& config_;
    RunStore* store_;  // nullptr on ranks other than 0
    std::vector<std::unique_ptr<ModelTrainer>>& trainers_;
    TrainingData data_;
    StepRange steps_;
    TrainingChannels channels_;
    CheckpointPathFn checkpointPath_;
    DistributedContext* distributed_;

    std::chrono::steady_clock::time_point started_;
    double pausedSeconds_ = 0;  // time blocked in a pause: not training time (elapsed, tokens/s, ETA, wall)
    int64_t startTokens_ = 0;
    int64_t tokensDone_ = 0;
    std::vector<std::vector<MetricPoint>> pending_;   // per trainer, not yet in the store
    std::vector<std::vector<MetricPoint>> unlogged_;  // per trainer: the last step's points log_every skipped
    bool warnedLowDisk_ = false;
};

}  // namespace needlescope
