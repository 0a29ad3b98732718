#include "core/train/Experiment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/data/Batcher.h"
#include "core/data/Corpus.h"
#include "core/data/FileIO.h"
#include "core/data/TokenCache.h"
#include "core/store/RunStore.h"
#include "core/train/Checkpoint.h"
#include "core/train/CheckpointFile.h"
#include "core/train/MemoryEstimate.h"
#include "core/train/ModelTrainer.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"

namespace needlescope {
namespace fs = std::filesystem;

struct Experiment::State {
    TrainConfig config;
    ExperimentPaths paths;
    TrainingSink* sink;
    TrainingControl* control;
    ExperimentHooks hooks;
    TrainingSink silentSink;
    TrainingControl ownControl;
    std::string group;
    std::vector<int64_t> runIds;
};

namespace {

std::string timestampGroup(const std::string& name) {
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    return name + "-" + stamp;
}

std::string checkpointPath(const ExperimentPaths& paths, const std::string& group, ModelKind kind, int64_t step) {
    return (fs::path(paths.checkpointDir) / group / kindName(kind) / ("step-" + std::to_string(step) + ".pt")).string();
}

// The shared loop over steps once models, data and runs exist (new or resumed).
RunStatus trainLoop(Experiment& self, const TrainConfig& config, const ExperimentPaths& paths, RunStore& store,
                      std::vector<std::unique_ptr<ModelTrainer>>& trainers, Batcher& batcher,
                      const std::vector<Batch>& validation, int64_t startStep, int64_t totalSteps,
                      TrainingSink& sink, TrainingControl& control, const ExperimentHooks& hooks,
                      double priorSeconds, const TrainingCurriculum* curriculum) {
    // Tokens trained on before 0-based step s (the context schedule makes steps differ in length).
    auto tokensBefore = [&](int64_t s) {
        int64_t n = 0;
        for (int64_t i = 0; i < s; ++i) n += config.batchSize * config.contextAt(i);
        return n;
    };
    const int64_t startTokens = tokensBefore(startStep);
    int64_t tokensDone = startTokens;
    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    std::vector<std::vector<MetricPoint>> pending(trainers.size());

    auto flush = [&] {
        for (size_t i = 0; i < trainers.size(); ++i) {
            if (!pending[i].empty()) store.appendMetrics(trainers[i]->runId(), pending[i]);
            pending[i].clear();
        }
    };
    bool warnedLowDisk = false;
    auto saveAll = [&](int64_t step) {
        flush();
        uint64_t roundBytes = 0;
        std::optional<uint64_t> freeAfter;
        for (auto& t : trainers) {
            const std::string path = checkpointPath(paths, self.group(), t->kind(), step);
            const CheckpointWrite written = t->save(path, step, batcher.position(), priorSeconds + elapsed());
            roundBytes += written.bytes;
            freeAfter = written.freeBytesAfter;
            store.addCheckpoint(t->runId(), step, path);
            store.setLastStep(t->runId(), step);
        }
        if (!warnedLowDisk && freeAfter && judgeDiskRoom(*freeAfter, roundBytes) != DiskRoom::Enough) {
            warnedLowDisk = true;
            sink.onLog("warning: only " + megabytes(*freeAfter) + " free beside the checkpoints (each checkpoint " +
                       "round takes " + megabytes(roundBytes) + "); free some space, or training will stop " +
                       "(resumable) when the disk is full");
        }
        store.checkpointWal();  // a damaged -wal file then costs at most the steps since this checkpoint
    };
    auto evaluateAll = [&](int64_t step, std::vector<ModelMetrics>& metrics) {
        for (size_t i = 0; i < trainers.size(); ++i) {
            const double valLoss = trainers[i]->evaluate(validation);
            metrics[i].hasValidation = true;
            metrics[i].valLoss = valLoss;
            metrics[i].valPerplexity = std::exp(valLoss);
            const double wall = priorSeconds + elapsed();
            pending[i].push_back({step, "val_loss", valLoss, metrics[i].tokens, wall});
            pending[i].push_back({step, "val_ppl", std::exp(valLoss), metrics[i].tokens, wall});
        }
    };

    int64_t step = startStep;
    while (step < totalSteps) {
        const auto request = control.checkpoint();
        if (request == TrainingControl::Request::Cancel) {
            flush();
            return RunStatus::Cancelled;
        }
        if (request == TrainingControl::Request::Stop) {
            saveAll(step);
            return RunStatus::Interrupted;
        }
        Batch batch = batcher.next();
        const int64_t context = config.contextAt(step);  // [B, T] narrowed to the scheduled context
        if (context < batch.inputs.size(1)) {
            batch.inputs = batch.inputs.narrow(1, 0, context);
            batch.targets = batch.targets.narrow(1, 0, context);
        }
        if (curriculum) curriculum->apply(batch, batcher.position() - 1);  // training batches only
        ++step;
        tokensDone += batch.inputs.numel();
        std::vector<ModelMetrics> metrics(trainers.size());
        for (size_t i = 0; i < trainers.size(); ++i) metrics[i] = trainers[i]->trainStep(batch, step - 1, totalSteps);
        const double wall = priorSeconds + elapsed();
        for (size_t i = 0; i < trainers.size(); ++i) {
            metrics[i].step = step;
            metrics[i].tokens = tokensDone;
            if (step % config.logEvery == 0 || step == totalSteps) {
                auto& out = pending[i];
                out.push_back({step, "train_loss", metrics[i].trainLoss, metrics[i].tokens, wall});
                out.push_back({step, "lr", metrics[i].lr, metrics[i].tokens, wall});
                out.push_back({step, "grad_norm", metrics[i].gradNorm, metrics[i].tokens, wall});
                out.push_back({step, "tokens_per_s", double(tokensDone - startTokens) / std::max(1e-9, elapsed()),
                               metrics[i].tokens, wall});
                for (size_t l = 0; l < metrics[i].lambdas.size(); ++l)
                    out.push_back({step, "lambda_" + std::to_string(l), metrics[i].lambdas[l], metrics[i].tokens, wall});
            }
        }
        if (step % config.evalEvery == 0 || step == totalSteps) evaluateAll(step, metrics);
        for (const auto& m : metrics) sink.onMetrics(m);
        if (hooks.probe && ((config.probeEvery > 0 && step % config.probeEvery == 0) ||
                            (step == totalSteps && config.probeEvery > 0)))
            for (auto& t : trainers) hooks.probe(t->runId(), t->model(), step);

        TrainingProgress progress;
        progress.step = step;
        progress.totalSteps = totalSteps;
        progress.tokensSeen = tokensDone;
        progress.elapsedSeconds = priorSeconds + elapsed();
        progress.tokensPerSecond = double(tokensDone - startTokens) * double(trainers.size()) / std::max(1e-9, elapsed());
        progress.etaSeconds = elapsed() / double(step - startStep) * double(totalSteps - step);
        sink.onProgress(progress);

        if (step % config.checkpointEvery == 0 || step == totalSteps) saveAll(step);
        else if (step % 50 == 0) flush();
    }
    flush();
    return RunStatus::Finished;
}

// Best effort: a store that cannot take the status (disk full) leaves the runs `running` with this process as
// owner, and the next open of the store marks them interrupted once the process has gone.
void markRuns(RunStore& store, const std::vector<int64_t>& runIds, RunStatus status, TrainingSink& sink) {
    for (int64_t id : runIds) {
        try {
            store.setStatus(id, status);
        } catch (const std::exception& e) {
            sink.onLog("could not record the status of run " + std::to_string(id) + " (" + e.what() + ")");
        }
    }
}

// The new group's checkpoint folder with its copy of the tokenizer model. When that fails, the group's runs
// are marked failed and no folder is left behind.
void makeGroupFolder(RunStore& store, const std::vector<int64_t>& runIds, const fs::path& groupDir,
                     const std::string& tokenizerModel) {
    std::error_code ec;
    fs::create_directories(groupDir.parent_path(), ec);
    const bool created = !ec && fs::create_directory(groupDir, ec);
    std::string problem;
    if (!created) {
        problem = "cannot create checkpoint folder '" + groupDir.string() +
                  "': " + (ec ? ec.message() : "it exists already (does another run store use this folder?)");
    } else if (fs::copy_file(tokenizerModel, groupDir / "tokenizer.model", ec), ec) {
        problem = "cannot copy the tokenizer model into '" + groupDir.string() + "': " + ec.message();
        fs::remove_all(groupDir, ec);
    }
    if (problem.empty()) return;
    try {
        for (int64_t id : runIds) store.setStatus(id, RunStatus::Failed);
    } catch (const Error&) {  // the folder problem is the one to report
    }
    throw Error(problem);
}

// Gives a resume's claimed runs back (their previous status) unless training started.
class ResumeClaim {
  public:
    ResumeClaim(RunStore& store, std::vector<RunRecord> runs) : store_(store), runs_(std::move(runs)) {}
    ~ResumeClaim() {
        if (released_) return;
        try {
            for (const RunRecord& run : runs_) store_.setStatus(run.id, run.effectiveStatus());
        } catch (const std::exception&) {  // they become interrupted once this process is gone
        }
    }
    ResumeClaim(const ResumeClaim&) = delete;
    ResumeClaim& operator=(const ResumeClaim&) = delete;
    void trainingStarts() { released_ = true; }

  private:
    RunStore& store_;
    std::vector<RunRecord> runs_;
    bool released_ = false;
};

// Runs the training loop and records its outcome on every run of the group: interrupted when a write failed
// for lack of space (resumable from the last checkpoint), failed for any other error.
RunStatus recordOutcome(RunStore& store, const std::vector<int64_t>& runIds, TrainingSink& sink,
                        const std::function<RunStatus()>& loop) {
    try {
        const RunStatus status = loop();
        for (int64_t id : runIds) store.setStatus(id, status);
        sink.onFinished(status);
        return status;
    } catch (const StorageError& e) {
        markRuns(store, runIds, RunStatus::Interrupted, sink);
        sink.onLog("a write failed (" + std::string(e.what()) + "); the runs were marked interrupted: free the " +
                   "space (or fix the cause) and resume them from their last checkpoint");
        sink.onFinished(RunStatus::Interrupted);
        throw;
    } catch (...) {  // the caller reports the error itself; the sink learns the outcome
        markRuns(store, runIds, RunStatus::Failed, sink);
        sink.onFinished(RunStatus::Failed);
        throw;
    }
}

// Steps at which every run of the group has a checkpoint, newest first (only `fromStep` when given).
std::vector<int64_t> resumableSteps(const RunStore& store, const std::vector<RunRecord>& runs, int64_t runId,
                                    std::optional<int64_t> fromStep) {
    std::map<int64_t, size_t> stepCount;
    for (const auto& run : runs)
        for (const auto& checkpoint : store.checkpoints(run.id)) ++stepCount[checkpoint.step];
    std::vector<int64_t> steps;
    for (auto it = stepCount.rbegin(); it != stepCount.rend(); ++it)
        if (it->second == runs.size()) steps.push_back(it->first);
    if (steps.empty()) throw Error("run " + std::to_string(runId) + " has no checkpoint to resume from");
    if (!fromStep) return steps;
    if (std::find(steps.begin(), steps.end(), *fromStep) == steps.end()) {
        std::string list;
        for (auto it = steps.rbegin(); it != steps.rend(); ++it) list += (list.empty() ? "" : ", ") + std::to_string(*it);
        throw Error("run " + std::to_string(runId) + " has no checkpoint at step " + std::to_string(*fromStep) +
                    " for every run of its group (steps it can resume from: " + list + ")");
    }
    return {*fromStep};
}

// One trainer per run of the group, restored from its checkpoint at `step`; throws Error when any of them
// is missing, corrupt or of another model. Stale temporary files in the checkpoint folders are removed.
std::vector<std::unique_ptr<ModelTrainer>> loadTrainers(const RunStore& store, const std::vector<RunRecord>& runs,
                                                        int64_t step, const TrainConfig& config,
                                                        const torch::Device& device, CheckpointState& restored) {
    std::vector<std::unique_ptr<ModelTrainer>> trainers;
    for (const auto& run : runs) {
        const ModelConfig m = nlohmann::json::parse(run.configJson).at("model").get<ModelConfig>();
        std::string path;
        for (const auto& checkpoint : store.checkpoints(run.id))
            if (checkpoint.step == step) path = checkpoint.path;
        removeStaleTempFiles(fs::path(path).parent_path().string());
        auto trainer = std::make_unique<ModelTrainer>(run.id, m, config.optimizer, device);
        restored = trainer->load(path);
        trainers.push_back(std::move(trainer));
    }
    return trainers;
}

// Until the first step a failure leaves runs that can never be resumed (they have no checkpoint): this marks
// them failed and removes the group folder, which holds nothing but the tokenizer copy yet.
class AbandonBeforeFirstStep {
public:
    AbandonBeforeFirstStep(RunStore& store, const std::vector<int64_t>& runIds, fs::path groupDir)
        : store_(store), runIds_(runIds), groupDir_(std::move(groupDir)) {}
    AbandonBeforeFirstStep(const AbandonBeforeFirstStep&) = delete;
    AbandonBeforeFirstStep& operator=(const AbandonBeforeFirstStep&) = delete;
    ~AbandonBeforeFirstStep() {
        if (released_) return;
        try {
            for (int64_t id : runIds_) store_.setStatus(id, RunStatus::Failed);
        } catch (...) {  // already unwinding from the original failure, which is the one to report
        }
        std::error_code ec;
        fs::remove(groupDir_ / "tokenizer.model", ec);
        fs::remove(groupDir_, ec);  // only when empty
    }
    void release() { released_ = true; }

private:
    RunStore& store_;
    const std::vector<int64_t>& runIds_;
    fs::path groupDir_;
    bool released_ = false;
};

nlohmann::json runConfigJson(const TrainConfig& config, ModelKind kind, const ModelConfig& model,
                             const CorpusInfo& corpus, const std::string& tokenizerModel, const std::string& cacheKey) {
    ModelConfig m = model;
    m.kind = kind;
    return nlohmann::json{{"train", config}, {"model", m},
                          {"data", {{"root", corpus.root}, {"layout", corpus.describe()}, {"cache_key", cacheKey}}},
                          {"tokenizer_model", tokenizerModel}};
}

// The curriculum is built by a higher layer (the probe layer): refuse, before anything is trained, a config
// that asks for one when none was hooked in.
void requireCurriculumHook(const TrainConfig& config, const ExperimentHooks& hooks) {
    if (config.curriculumFraction > 0 && !hooks.curriculum)
        throw Error("the config asks for a retrieval curriculum (curriculum_fraction " +
                    std::to_string(config.curriculumFraction) +
                    ") but the experiment has no curriculum hook (makeTrainingProbeHooks provides one)");
}

// The curriculum the hooks build for the config (nullptr when it asks for none).
std::unique_ptr<TrainingCurriculum> makeCurriculum(const ExperimentHooks& hooks, const TrainConfig& config,
                                                   const Tokenizer& tokenizer,
                                                   std::shared_ptr<const std::vector<int32_t>> train,
                                                   int64_t context, TrainingSink& sink) {
    if (!hooks.curriculum) return nullptr;
    return hooks.curriculum(
        {config, tokenizer, std::move(train), context, [&sink](const std::string& line) { sink.onLog(line); }});
}

}  // namespace

Experiment::Experiment(TrainConfig config, ExperimentPaths paths, TrainingSink* sink, TrainingControl* control,
                       ExperimentHooks hooks)
    : state_(std::make_unique<State>()) {
    state_->config = std::move(config);
    state_->paths = std::move(paths);
    state_->sink = sink ? sink : &state_->silentSink;
    state_->control = control ? control : &state_->ownControl;
    state_->hooks = std::move(hooks);
}

Experiment::~Experiment() = default;
const std::vector<int64_t>& Experiment::runIds() const { return state_->runIds; }
const std::string& Experiment::group() const { return state_->group; }

RunStatus Experiment::run() {
    auto& s = *state_;
    s.config.validate();
    requireCurriculumHook(s.config, s.hooks);
    configureThreads(s.config.threads);
    const torch::Device device = resolveDevice(s.config.device);
    if (device.is_cpu()) requireMemoryFits(s.config);  // refuse before any run or folder exists
    RunStore store = RunStore::open(s.paths.dbPath);

    const CorpusInfo corpus = detectCorpus(s.paths.dataDir);
    s.sink->onLog("data: " + corpus.describe());
    TokenizerSettings tokenizerSettings;
    tokenizerSettings.vocabSize = s.config.tokenizerVocab;
    tokenizerSettings.threads = s.config.threads;
    PreparedCorpus data = prepareCorpus(corpus, tokenizerSettings, s.paths.cacheDir,
                                        [&](const std::string& stage, double fraction) {
                                            if (fraction <= 0.0 || fraction >= 1.0) s.sink->onLog(stage);
                                        });
    s.sink->onLog(std::string("tokens: train ") + std::to_string(data.train.size()) + ", valid " +
                  std::to_string(data.valid.size()) + (data.fromCache ? " (from cache)" : ""));

    ModelConfig model = s.config.model;
    model.vocabSize = data.tokenizer.vocabSize();
    // The group and all its runs in one store transaction (experiments started together get distinct
    // groups, never a folder that exists already); its checkpoint folder only once that succeeded.
    const fs::path checkpointRoot(s.paths.checkpointDir);
    const ClaimedGroup claimed = store.createGroup(
        timestampGroup(s.config.name),
        [&](const std::string& group) {
            const std::string tokenizerCopy = (checkpointRoot / group / "tokenizer.model").string();
            std::vector<NewRun> runs;
            for (ModelKind kind : s.config.kinds) {
                const auto config =
                    runConfigJson(s.config, kind, model, corpus, tokenizerCopy, data.cacheKey);
                runs.push_back({group, group + "/" + kindName(kind), kindName(kind), config.dump()});
            }
            return runs;
        },
        [&](const std::string& group) { return !fs::exists(checkpointRoot / group); });
    s.group = claimed.group;
    s.runIds = claimed.runIds;
    makeGroupFolder(store, s.runIds, checkpointRoot / s.group, data.tokenizer.modelPath());

    AbandonBeforeFirstStep abandon{store, s.runIds, checkpointRoot / s.group};
    std::vector<std::unique_ptr<ModelTrainer>> trainers;
    for (size_t i = 0; i < s.config.kinds.size(); ++i) {
        ModelConfig m = model;
        m.kind = s.config.kinds[i];
        trainers.push_back(std::make_unique<ModelTrainer>(s.runIds[i], m, s.config.optimizer, device));
    }
    s.sink->onRunsCreated(s.runIds, s.group);

    auto train = std::make_shared<const std::vector<int32_t>>(std::move(data.train));
    Batcher batcher(train, model.maxContext, s.config.batchSize, model.seed);
    const auto validation = validationBatches(data.valid, model.maxContext, s.config.batchSize, s.config.evalBatches);
    const int64_t totalSteps = s.config.totalSteps(batcher.batchesPerEpoch());
    s.sink->onLog("training " + std::to_string(trainers.size()) + " model(s) for " + std::to_string(totalSteps) +
                  " steps of " + std::to_string(s.config.batchSize) + "x" + std::to_string(model.maxContext) + " tokens");
    const auto curriculum = makeCurriculum(s.hooks, s.config, data.tokenizer, train, model.maxContext, *s.sink);
    abandon.release();  // from here on the loop records the outcome and checkpoints
    return recordOutcome(store, s.runIds, *s.sink, [&] {
        return trainLoop(*this, s.config, s.paths, store, trainers, batcher, validation, 0, totalSteps, *s.sink,
                         *s.control, s.hooks, 0.0, curriculum.get());
    });
}

RunStatus Experiment::resume(int64_t runId, std::optional<int64_t> fromStep) {
    auto& s = *state_;
    RunStore store = RunStore::open(s.paths.dbPath);
    // Refused when finished or trained by a live process; given back if resuming fails before training.
    std::vector<RunRecord> runs = store.claimForResume(runId);
    ResumeClaim claim(store, runs);
    const RunRecord anchor = store.run(runId);
    s.group = anchor.group;
    std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.id < b.id; });

    const std::vector<int64_t> steps = resumableSteps(store, runs, runId, fromStep);
    const auto runConfig = nlohmann::json::parse(anchor.configJson);
    s.config = runConfig.at("train").get<TrainConfig>();
    requireCurriculumHook(s.config, s.hooks);
    configureThreads(s.config.threads);
    const torch::Device device = resolveDevice(s.config.device);
    const CorpusInfo corpus = detectCorpus(s.paths.dataDir.empty() ? runConfig.at("data").at("root").get<std::string>()
                                                                     : s.paths.dataDir);
    TokenizerSettings tokenizerSettings;
    tokenizerSettings.vocabSize = s.config.tokenizerVocab;
    PreparedCorpus data = prepareCorpus(corpus, tokenizerSettings, s.paths.cacheDir);
    if (data.cacheKey != runConfig.at("data").at("cache_key").get<std::string>())
        throw Error("the data at '" + corpus.root + "' differs from the data this run was trained on");

    // The newest step whose checkpoints all load (checksum, archive, model); older ones when they do not.
    std::vector<std::unique_ptr<ModelTrainer>> trainers;
    CheckpointState restored;
    int64_t step = -1;
    std::string problem;
    for (const int64_t candidate : steps) {
        try {
            trainers = loadTrainers(store, runs, candidate, s.config, device, restored);
            step = candidate;
            break;
        } catch (const Error& e) {
            problem = e.what();
            s.sink->onLog("cannot resume from step " + std::to_string(candidate) + ": " + problem);
        }
    }
    if (step < 0) throw Error("run " + std::to_string(runId) + " has no intact checkpoint to resume from (" + problem + ")");
    if (step != steps.front())
        s.sink->onLog("falling back to step " + std::to_string(step) +
                      ", the newest step whose checkpoints are all intact; later steps are trained again");
    for (const auto& run : runs) s.runIds.push_back(run.id);
    s.sink->onRunsCreated(s.runIds, s.group);
    s.sink->onLog("resuming " + s.group + " at step " + std::to_string(step));

    auto train = std::make_shared<const std::vector<int32_t>>(std::move(data.train));
    const ModelConfig& model = trainers.front()->model().config();
    Batcher batcher(train, model.maxContext, s.config.batchSize, model.seed);
    batcher.seek(restored.dataPosition);
    const auto validation = validationBatches(data.valid, model.maxContext, s.config.batchSize, s.config.evalBatches);
    const int64_t totalSteps = s.config.totalSteps(batcher.batchesPerEpoch());
    claim.trainingStarts();
    return recordOutcome(store, s.runIds, *s.sink, [&] {
        const auto curriculum = makeCurriculum(s.hooks, s.config, data.tokenizer, train, model.maxContext, *s.sink);
        return trainLoop(*this, s.config, s.paths, store, trainers, batcher, validation, step, totalSteps, *s.sink,
                         *s.control, s.hooks, restored.wallSeconds, curriculum.get());
    });
}

}  // namespace needlescope
