#pragma once
// One more run trained into a view test's store beside the fixture's pair: the `tiny` preset reshaped
// (kind, context, steps; checkpoint and evaluation at the last step). Returns the new run's id, or −1.
#include "core/train/Experiment.h"
#include "core/train/TrainConfig.h"
#include "ui/settings/AppPaths.h"

namespace testsupport {

inline qint64 trainExtraRun(const needlescope::app::AppPaths& paths, needlescope::ModelKind kind,
                            int64_t maxContext, int64_t steps) {
    needlescope::TrainConfig config = needlescope::loadPreset("tiny");
    config.kinds = {kind};
    config.model.maxContext = maxContext;
    config.steps = steps;
    config.checkpointEvery = steps;
    config.evalEvery = steps;
    config.evalBatches = 1;
    config.threads = 2;
    needlescope::ExperimentPaths train;
    train.dataDir = paths.dataFlag.toStdString();
    train.dbPath = paths.dbPath.toStdString();
    train.checkpointDir = paths.checkpointDir.toStdString();
    train.cacheDir = paths.cacheDir.toStdString();
    needlescope::Experiment experiment(config, train);
    if (experiment.run() != needlescope::RunStatus::Finished) return -1;
    return experiment.runIds().front();
}

}  // namespace testsupport
