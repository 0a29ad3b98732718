#pragma once
// One model's training state: the decoder, its AdamW optimizer, and one optimisation step.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "core/data/Batcher.h"
#include "core/model/Decoder.h"
#include "core/train/Checkpoint.h"
#include "core/train/TrainConfig.h"
#include "core/train/TrainingSink.h"

namespace needlescope {

class ModelTrainer {
  public:
    ModelTrainer(int64_t runId, const ModelConfig& model, const OptimizerConfig& optimizer,
                 torch::Device device);

    // One AdamW step on `batch` at 0-based `stepIndex` of `totalSteps` (sets the scheduled lr, clips).
    ModelMetrics trainStep(const Batch& batch, int64_t stepIndex, int64_t totalSteps);
    double evaluate(const std::vector<Batch>& batches);  // mean next-token loss, no grad

    CheckpointWrite save(const std::string& path, int64_t step, int64_t dataPosition, double wallSeconds);
    CheckpointState load(const std::string& path);

    int64_t runId() const { return runId_; }
    ModelKind kind() const { return model_->config().kind; }
    DecoderImpl& model() { return *model_; }

  private:
    int64_t runId_;
    Decoder model_;
    OptimizerConfig optimizerConfig_;
    torch::Device device_;
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    int64_t tokensSeen_ = 0;
};

}  // namespace needlescope
