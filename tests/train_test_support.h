#pragma once
// Shared by the trainer tests: the tiny preset made deterministic for resume comparisons, and a sink that
// records log lines and acts once a given step has completed (called on the training thread).
#include <QString>
#include <QStringList>
#include <algorithm>
#include <functional>

#include "TestSupport.h"
#include "core/train/Experiment.h"
#include "core/train/TrainConfig.h"
#include "core/train/TrainingSink.h"

namespace traintest {

inline needlescope::TrainConfig tinyConfig(int64_t steps, int64_t checkpointEvery, int64_t evalEvery) {
    needlescope::TrainConfig c = needlescope::loadPreset("tiny");
    c.steps = steps;
    c.checkpointEvery = checkpointEvery;
    c.evalEvery = evalEvery;
    c.logEvery = 1;
    c.threads = 1;  // bit-identical resume needs the same thread count
    return c;
}

// A small corpus plus a store, checkpoint and cache folder under `root`; false when the shared data is
// missing.
inline bool scratchExperiment(const QString& root, needlescope::ExperimentPaths& paths) {
    const QDir dir(root);
    if (!testsupport::makeSmallCorpus(dir.filePath("corpus"))) return false;
    paths.dataDir = dir.filePath("corpus").toStdString();
    paths.dbPath = dir.filePath("runs.db").toStdString();
    paths.checkpointDir = dir.filePath("checkpoints").toStdString();
    paths.cacheDir = dir.filePath("cache").toStdString();
    return true;
}

class StepSink : public needlescope::TrainingSink {
  public:
    explicit StepSink(int64_t atStep = -1, std::function<void()> action = {})
        : atStep_(atStep), action_(std::move(action)) {}
    void onLog(const std::string& line) override { lines.push_back(QString::fromStdString(line)); }
    void onProgress(const needlescope::TrainingProgress& p) override {
        lastStep = p.step;
        if (p.step == atStep_ && action_) action_();
    }
    bool logged(const QString& text) const {
        return std::any_of(lines.begin(), lines.end(), [&](const QString& l) { return l.contains(text); });
    }
    QStringList lines;
    int64_t lastStep = 0;

  private:
    int64_t atStep_;
    std::function<void()> action_;
};

}  // namespace traintest
