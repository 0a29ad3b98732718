#pragma once
// Checkpoints: weights, optimizer state, RNG state, data position and step in one file, written
// atomically (temporary file, fsync, rename) so a crash never leaves a half-written checkpoint, and sealed
// with a checksum that every load verifies (CheckpointFile.h).
#include <torch/torch.h>

#include <optional>
#include <string>

#include "core/model/Decoder.h"
#include "core/util/Runtime.h"

namespace needlescope {

struct CheckpointState {
    int64_t step = 0;          // optimizer steps completed
    int64_t dataPosition = 0;  // batches the batcher has served
    int64_t tokensSeen = 0;
    double wallSeconds = 0;  // training time so far
};

struct CheckpointWrite {
    uint64_t bytes = 0;
    std::optional<uint64_t> freeBytesAfter;  // on the checkpoint's file system, when known
};

// Throws StorageError (disk full, size limit, I/O error) with no partial file left behind.
CheckpointWrite saveCheckpoint(const std::string& path, DecoderImpl& model,
                               torch::optim::Optimizer& optimizer, const CheckpointState& state);

// Restores into an existing model (and optimizer, if given) and returns the saved state.
// Throws Error naming the file when it is missing, truncated, fails its checksum or is not a checkpoint of
// this model.
CheckpointState loadCheckpoint(const std::string& path, DecoderImpl& model,
                               torch::optim::Optimizer* optimizer);

ModelConfig checkpointModelConfig(const std::string& path);  // without loading weights
// Config + weights, in eval mode, on `device` (by default the process's inferenceDevice(): the CPU unless
// set).
Decoder loadModel(const std::string& checkpointPath, const torch::Device& device = inferenceDevice());
void verifyCheckpoint(const std::string& path);  // checksum and archive only; throws Error

}  // namespace needlescope
