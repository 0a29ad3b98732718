#pragma once
// Learning rate at a step: linear warm-up, then cosine decay to lr·minLrRatio at the last step.
#include <cstdint>

#include "core/train/TrainConfig.h"

namespace needlescope {

double learningRate(const OptimizerConfig& optimizer, int64_t step, int64_t totalSteps);

}  // namespace needlescope
