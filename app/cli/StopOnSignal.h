#pragma once
// Ctrl-C / SIGTERM during training: the first asks the loop to stop after the current step (it then
// checkpoints and marks the runs interrupted); a second one exits at once.
#include "core/train/TrainingControl.h"

namespace needlescope::cli {

// Must be called before any other thread starts (it blocks the signals process-wide and waits for
// them on a helper thread).
void stopOnSignal(TrainingControl& control);

}  // namespace needlescope::cli
