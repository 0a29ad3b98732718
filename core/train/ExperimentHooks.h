#pragma once
// Optional hooks filled in by higher layers (the probe layer: makeTrainingProbeHooks); the trainer calls them
// without knowing what is behind them.
#include <cstdint>
#include <functional>

#include "core/train/TrainingCurriculum.h"

namespace needlescope {

class DecoderImpl;

struct ExperimentHooks {
    // Every `probeEvery` steps and at the end, for each model; called on the training thread.
    using ProbeHook = std::function<void(int64_t runId, DecoderImpl& model, int64_t step)>;
    ProbeHook probe;
    // Builds the training curriculum when the config asks for one (curriculum fraction above 0); an
    // experiment whose config asks for one refuses to start without it.
    CurriculumFactory curriculum;
};

}  // namespace needlescope
