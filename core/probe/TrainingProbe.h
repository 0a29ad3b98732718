#pragma once
// The small needle probe that runs during training (every probe_every steps, DESIGN §5): ExperimentHooks
// whose probe() builds the probe for the run's tokenizer and validation split once, probes the model
// and stores the rows, so the UI can show how answer and noise attention evolve over training. The hooks
// also carry the retrieval curriculum (CurriculumFactory.h), for configs that ask for one.
#include <functional>
#include <string>

#include "core/probe/Probe.h"
#include "core/train/Experiment.h"

namespace needlescope {

struct TrainingProbeSettings {
    std::string dbPath;    // the run store the experiment writes to
    std::string dataDir;   // empty: the corpus root recorded in the run's config
    ProbeOptions options;  // samples 0 below = the run's probe_samples
    TrainingProbeSettings() { options.samples = 0; }
};

// `log` receives one line per probe (or the reason a probe was skipped). A probe that fails (e.g. the
// needle does not fit the model's context) is reported once through `log` and then switched off for that
// run; it never stops training.
ExperimentHooks makeTrainingProbeHooks(const TrainingProbeSettings& settings,
                                       std::function<void(const std::string&)> log = {});

}  // namespace needlescope
