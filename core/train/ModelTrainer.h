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
#include "core/util/Autocast.h"

namespace needlescope {

class DistributedContext;
class GradientSync;

// This rank's part of a data-parallel step: its rows' share of the global batch's loss weight (its weight
// sum / the global weight sum) and the global batch's token count. One process: the whole batch.
struct BatchShare {
    double lossShare = 1.0;
    int64_t globalTokens = -1;  // -1: the batch's own
};

class ModelTrainer {
  public:
    ModelTrainer(int64_t runId, const ModelConfig& model, const OptimizerConfig& optimizer,
                 torch::Device device, Precision precision = Precision::Fp32);

    ~ModelTrainer();

    // Joins data-parallel training: rank 0's weights are copied to every rank, and each step's gradients
    // (and loss) are summed over ranks before clipping, so every rank applies the same update.
    void joinDataParallel(DistributedContext& context);

    // One AdamW step on `batch` at 0-based `stepIndex` of `totalSteps` (sets the scheduled lr, clips).
    // Data-parallel: `batch` holds this rank's rows and the reported loss is the global batch's.
    ModelMetrics trainStep(const Batch& batch, int64_t stepIndex, int64_t totalSteps, BatchShare share = {});
    // Mean next-token loss, no grad; data-parallel: the batches are shared out over the ranks.
    double evaluate(const std::vector<Batch>& batches);

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
    Precision precision_;  // bf16: the forward under CUDA autocast
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    int64_t tokensSeen_ = 0;
    DistributedContext* distributed_ = nullptr;
    std::unique_ptr<GradientSync> gradientSync_;
};

}  // namespace needlescope
