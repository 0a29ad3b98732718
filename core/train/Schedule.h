#pragma once
// Learning rate at a step: linear warm-up, then decay to lr·minLrRatio at the last step, either cosine over
// every remaining step or WSD (hold lr, then decay linearly over the last decayFraction of them).
#include <cstdint>

#include "core/train/TrainConfig.h"

namespace needlescope {

double learningRate(const OptimizerConfig& optimizer, int64_t step, int64_t totalSteps);

}  // namespace needlescope
