#pragma once
// Checkpoints: weights, optimizer state, RNG state, data position and step in one file, written
// atomically (temporary file, fsync, rename) so a crash never leaves a half-written checkpoint.
#include <string>

#include <torch/torch.h>

#include "core/model/Decoder.h"

namespace needlescope {

struct CheckpointState {
    int64_t step = 0;          // optimizer steps completed
    int64_t dataPosition = 0;  // batches the batcher has served
    int64_t tokensSeen = 0;
    double wallSeconds = 0;    // training time so far
};

void saveCheckpoint(const std::string& path, DecoderImpl& model, torch::optim::Optimizer& optimizer,
                    const CheckpointState& state);

// Restores into an existing model (and optimizer, if given) and returns the saved state.
// Throws Error naming the file when it is missing, truncated or not a checkpoint of this model.
CheckpointState loadCheckpoint(const std::string& path, DecoderImpl& model, torch::optim::Optimizer* optimizer);

ModelConfig checkpointModelConfig(const std::string& path);   // without loading weights
Decoder loadModel(const std::string& checkpointPath);        // config + weights, in eval mode, on the CPU

}  // namespace needlescope
