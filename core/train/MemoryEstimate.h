#pragma once
// Rough memory a training config needs, computed from the config alone so that a config that cannot fit is
// refused before anything (runs, folders) is created.
#include <cstdint>
#include <optional>
#include <string>

#include "core/model/ModelConfig.h"
#include "core/train/TrainConfig.h"

namespace needlescope {

struct MemoryEstimate {
    double parameters = 0;      // of all models trained together
    double parameterBytes = 0;  // weights + gradients + AdamW moments: 16 bytes a parameter in fp32
    // What one CPU training step holds at its peak (the models step one at a time).
    double activationBytes = 0;
    double totalBytes() const { return parameterBytes + activationBytes; }
};

// Exactly the parameter count of a Decoder built from `config` (a double: absurd configs overflow int64).
double modelParameterCount(const ModelConfig& config);
// The formula behind modelParameterCount, symbolic then with this config's numbers, e.g. for V2
// "V·D + L·(3D² + 2·D·h_kv·d + D·h + 3·D·F + 2D) + D = 97·32 + 3·(…) + 32 = 48000".
std::string parameterFormula(const ModelConfig& config);
// Activations one CPU training step of `batch` x `context` tokens holds at its peak (fp32; rough, per-layer
// formula). The attention maps and the [B·T, V] logits are never whole on the CPU (sliced attention, chunked
// LM head), so only the chunks `threads` threads work on at once count, not the T² maps of every layer. Heap
// slack included: what a step adds to the resident size stays within this (test_memory_estimate).
double activationBytes(const ModelConfig& config, int64_t batch, int64_t context, int threads);
MemoryEstimate estimateTrainingMemory(const TrainConfig& config);

// Memory available to this process in bytes (MemAvailable from /proc/meminfo, else sysconf); nullopt if
// unknown.
std::optional<double> availableMemoryBytes();
// Empty when `config` fits in `availableBytes`, else a message with the numbers.
std::optional<std::string> memoryFitError(const TrainConfig& config, double availableBytes);
// Throws Error when the config cannot fit in the machine's available memory (a no-op when that is unknown).
void requireMemoryFits(const TrainConfig& config);

}  // namespace needlescope
