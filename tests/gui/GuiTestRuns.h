#pragma once
// Shared by the GUI tests: scratch app paths, and a tiny paired experiment trained with the UI's worker.
#include <QDir>
#include <QSignalSpy>
#include <QString>

#include "app/common/AppPaths.h"
#include "core/train/TrainConfig.h"
#include "ui/workers/TrainingWorker.h"

namespace testsupport {

// Scratch folders for settings, store, checkpoints and cache, so the tests never touch the user's files.
inline needlescope::app::AppPaths scratchPaths(const QString& root, const QString& name, const QString& corpus) {
    needlescope::app::AppPaths paths;
    paths.dbPath = QDir(root).filePath(name + "/runs.db");
    paths.checkpointDir = QDir(root).filePath(name + "/checkpoints");
    paths.cacheDir = QDir(root).filePath("cache");
    paths.dataFlag = corpus;
    QDir().mkpath(QDir(root).filePath(name));
    return paths;
}

// Trains a tiny paired experiment to the end with the worker (as the UI does); returns its status.
inline QString trainTiny(const needlescope::app::AppPaths& paths, int steps) {
    needlescope::TrainingWorker worker;
    QSignalSpy done(&worker, &needlescope::TrainingWorker::finished);
    needlescope::TrainConfig config = needlescope::loadPreset("tiny");
    config.steps = steps;
    if (!worker.start(config, {paths.dataFlag, paths.dbPath, paths.checkpointDir, paths.cacheDir})) return "not started";
    if (!done.wait(90000)) return "timeout";
    const QString error = done.at(0).at(1).toString();
    const auto status = done.at(0).at(0).value<needlescope::RunStatus>();
    return QString::fromStdString(needlescope::statusName(status)) + (error.isEmpty() ? QString() : ": " + error);
}

}  // namespace testsupport
