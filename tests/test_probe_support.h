#pragma once
// Shared set-up of the needle-probe tests: a small real-English corpus with a 512-piece tokenizer, and a
// tiny paired experiment trained on it (a few seconds on two cores).
#include <QDir>
#include <QString>
#include <string>
#include <vector>

#include "TestSupport.h"
#include "core/data/TokenCache.h"
#include "core/probe/CurriculumFactory.h"
#include "core/train/Experiment.h"
#include "core/train/TrainConfig.h"

namespace probetest {

// The `tiny` preset with a context long enough for a needle (~30 tokens), its question (~46) and some
// haystack at a 512-piece vocabulary.
inline needlescope::TrainConfig tinyConfig(int64_t context = 128) {
    needlescope::TrainConfig config = needlescope::loadPreset("tiny");
    config.model.maxContext = context;
    config.threads = 2;
    return config;
}

// Writes the corpus under `dir`/corpus and prepares it (tokenizer + ids) under `dir`/cache.
inline needlescope::PreparedCorpus prepareSmallCorpus(const QString& dir, bool* ok) {
    const QString corpus = QDir(dir).filePath("corpus");
    *ok = testsupport::makeSmallCorpus(corpus);
    if (!*ok) return {};
    needlescope::TokenizerSettings settings;
    settings.vocabSize = 512;
    settings.threads = 2;
    return needlescope::prepareCorpus(needlescope::detectCorpus(corpus.toStdString()), settings,
                                      QDir(dir).filePath("cache").toStdString());
}

struct TinyRun {
    std::string group;
    std::vector<int64_t> runIds;
    needlescope::RunStatus status = needlescope::RunStatus::Failed;
    QString corpus, db;
};

// Trains the tiny paired experiment (standard + DIFF) in `dir` (corpus made by makeSmallCorpus), with the
// retrieval curriculum hooked in as the app does.
inline TinyRun trainTiny(const QString& dir, const needlescope::TrainConfig& config,
                         needlescope::ExperimentHooks hooks = {}) {
    TinyRun run;
    run.corpus = QDir(dir).filePath("corpus");
    run.db = QDir(dir).filePath("runs.db");
    if (!QDir(run.corpus).exists() && !testsupport::makeSmallCorpus(run.corpus)) return run;
    needlescope::ExperimentPaths paths;
    paths.dataDir = run.corpus.toStdString();
    paths.dbPath = run.db.toStdString();
    paths.checkpointDir = QDir(dir).filePath("checkpoints").toStdString();
    paths.cacheDir = QDir(dir).filePath("cache").toStdString();
    if (!hooks.curriculum) hooks.curriculum = needlescope::makeCurriculumFactory();
    needlescope::Experiment experiment(config, paths, nullptr, nullptr, std::move(hooks));
    run.status = experiment.run();
    run.group = experiment.group();
    run.runIds = experiment.runIds();
    return run;
}

}  // namespace probetest
