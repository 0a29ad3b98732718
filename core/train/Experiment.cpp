#include "core/train/Experiment.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/data/Batcher.h"
#include "core/data/Corpus.h"
#include "core/data/FileIO.h"
#include "core/data/TokenCache.h"
#include "core/store/RunStore.h"
#include "core/train/Checkpoint.h"
#include "core/train/CheckpointFile.h"
#include "core/train/DistributedContext.h"
#include "core/train/DistributedSession.h"
#include "core/train/MemoryEstimate.h"
#include "core/train/ModelTrainer.h"
#include "core/train/TrainingLoop.h"
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
    DataParallel dataParallel;
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

std::string checkpointPath(const ExperimentPaths& paths, const std::string& group, ModelKind kind,
                           int64_t step) {
    return (fs::path(paths.checkpointDir) / group / kindName(kind) / ("step-" + std::to_string(step) + ".pt"))
        .string();
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
    } catch (const PeerLost& e) {  // another rank has gone: resumable from the last checkpoint
        markRuns(store, runIds, RunStatus::Interrupted, sink);
        sink.onLog(std::string(e.what()) + "; the runs were marked interrupted: resume them with --resume");
        sink.onFinished(RunStatus::Interrupted);
        throw;
    } catch (const StorageError& e) {
        markRuns(store, runIds, RunStatus::Interrupted, sink);
        sink.onLog("a write failed (" + std::string(e.what()) +
                   "); the runs were marked interrupted: free the " +
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
        for (auto it = steps.rbegin(); it != steps.rend(); ++it)
            list += (list.empty() ? "" : ", ") + std::to_string(*it);
        throw Error("run " + std::to_string(runId) + " has no checkpoint at step " +
                    std::to_string(*fromStep) +
                    " for every run of its group (steps it can resume from: " + list + ")");
    }
    return {*fromStep};
}

// One trainer per run of the group, restored from its checkpoint at `step`; throws Error when any of them
// is missing, corrupt or of another model. Stale temporary files in the checkpoint folders are removed.
std::vector<std::unique_ptr<ModelTrainer>> loadTrainers(const RunStore& store,
                                                        const std::vector<RunRecord>& runs, int64_t step,
                                                        const TrainConfig& config,
                                                        const torch::Device& device,
                                                        CheckpointState& restored) {
    std::vector<std::unique_ptr<ModelTrainer>> trainers;
    for (const auto& run : runs) {
        const ModelConfig m = nlohmann::json::parse(run.configJson).at("model").get<ModelConfig>();
        std::string path;
        for (const auto& checkpoint : store.checkpoints(run.id))
            if (checkpoint.step == step) path = checkpoint.path;
        removeStaleTempFiles(fs::path(path).parent_path().string());
        auto trainer = std::make_unique<ModelTrainer>(run.id, m, config.optimizer, device,
                                                      precisionFromString(config.precision));
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
            for (int64_t id : runIds_) {
                if (discard_) {  // stopped by the user before the first step: nothing worth keeping
                    store_.setStatus(id, RunStatus::Cancelled);
                    store_.deleteRun(id);
                } else {
                    store_.setStatus(id, RunStatus::Failed);
                }
            }
        } catch (...) {  // already unwinding from the original failure, which is the one to report
        }
        std::error_code ec;
        fs::remove(groupDir_ / "tokenizer.model", ec);
        fs::remove(groupDir_, ec);  // only when empty
    }
    void release() { released_ = true; }
    void discard() { discard_ = true; }

  private:
    RunStore& store_;
    const std::vector<int64_t>& runIds_;
    fs::path groupDir_;
    bool released_ = false;
    bool discard_ = false;
};

nlohmann::json runConfigJson(const TrainConfig& config, ModelKind kind, const ModelConfig& model,
                             const CorpusInfo& corpus, const std::string& tokenizerModel,
                             const std::string& cacheKey) {
    ModelConfig m = model;
    m.kind = kind;
    return nlohmann::json{
        {"train", config},
        {"model", m},
        {"data", {{"root", corpus.root}, {"layout", corpus.describe()}, {"cache_key", cacheKey}}},
        {"tokenizer_model", tokenizerModel}};
}

// The same tokenizer for a new run and a resumed one (threads never change the result).
TokenizerSettings tokenizerSettingsFor(const TrainConfig& config) {
    TokenizerSettings settings;
    settings.vocabSize = config.tokenizerVocab;
    settings.threads = config.threads;
    return settings;
}

// This rank's thread count and device: a data-parallel rank may be given its own share of the cores, and
// a CUDA rank its own GPU.
torch::Device setUpCompute(const TrainConfig& config, const DataParallel& dataParallel) {
    configureThreads(dataParallel.threads >= 0 ? dataParallel.threads : config.threads);
    torch::Device device = resolveDevice(config.device);
    if (device.is_cuda() && dataParallel.context && !device.has_index())
        device = torch::Device(torch::kCUDA, torch::DeviceIndex(dataParallel.localRank));
    if (const std::string problem = precisionProblem(precisionFromString(config.precision), device);
        !problem.empty())
        throw Error(problem);
    return device;
}

bool isFollower(const DataParallel& dataParallel) {
    return dataParallel.context && !dataParallel.context->isLeader();
}

// The curriculum is built by a higher layer (the probe layer): refuse, before anything is trained, a config
// that asks for one when none was hooked in.
void requireCurriculumHook(const TrainConfig& config, const ExperimentHooks& hooks) {
    if (config.curriculumFraction > 0 && !hooks.curriculum)
        throw Error("the config asks for a retrieval curriculum (curriculum_fraction " +
                    std::to_string(config.curriculumFraction) +
                    ") but the experiment has no curriculum hook (makeTrainingProbeHooks provides one)");
}

}  // namespace

Experiment::Experiment(TrainConfig config, ExperimentPaths paths, TrainingSink* sink,
                       TrainingControl* control, ExperimentHooks hooks)
    : state_(std::make_unique<State>()) {
    state_->config = std::move(config);
    state_->paths = std::move(paths);
    state_->sink = sink ? sink : &state_->silentSink;
    state_->control = control ? control : &state_->ownControl;
    state_->hooks = std::move(hooks);
}

Experiment::~Experiment() = default;
void Experiment::setDataParallel(const DataParallel& dataParallel) { state_->dataParallel = dataParallel; }
const std::vector<int64_t>& Experiment::runIds() const { return state_->runIds; }
const std::string& Experiment::group() const { return state_->group; }

// What run() and resume() have prepared when they reach their shared tail.
struct Experiment::Session {
    RunStore* store;  // nullptr on ranks other than 0
    std::vector<std::unique_ptr<ModelTrainer>>& trainers;
    PreparedCorpus& data;
    ModelConfig model;                     // the batches' context and data order seed
    int64_t startStep = 0;                 // 0-based step to train first
    int64_t dataPosition = 0;              // the batcher position of that step
    double priorSeconds = 0;               // wall time of the sessions before (a resume)
    std::function<void()> trainingStarts;  // releases the guard that undoes a start that failed
    // A stop or cancel came before the first step: a new run's rows are deleted (nothing was trained);
    // a resume's runs get their previous status back. Returns the status to report.
    std::function<RunStatus()> stoppedBeforeStart;
};

RunStatus Experiment::run() {
    auto& s = *state_;
    if (isFollower(s.dataParallel)) return follow();
    PlanAnnouncement announcement(s.dataParallel.context);  // tells the other ranks if this ends early
    s.config.validate();
    requireCurriculumHook(s.config, s.hooks);
    const torch::Device device = setUpCompute(s.config, s.dataParallel);
    if (device.is_cpu()) requireMemoryFits(s.config);  // refuse before any run or folder exists
    RunStore store = RunStore::open(s.paths.dbPath);

    const CorpusInfo corpus = detectCorpus(s.paths.dataDir);
    s.sink->onLog("data: " + corpus.describe());
    PreparedCorpus data = prepareCorpus(corpus, tokenizerSettingsFor(s.config), s.paths.cacheDir,
                                        [&](const std::string& stage, double fraction) {
                                            if (fraction <= 0.0 || fraction >= 1.0) s.sink->onLog(stage);
                                        });
    s.sink->onLog(std::string("tokens: train ") + std::to_string(data.train.size()) + ", valid " +
                  std::to_string(data.valid.size()) + (data.fromCache ? " (from cache)" : ""));
    // Stopped while the data was prepared (the long part of a start): no run is created at all, so no
    // empty "interrupted" runs are left behind. The prepared tokenizer and token cache are kept.
    if (s.control->request() != TrainingControl::Request::None) {
        announcement.cancel();
        s.sink->onLog("stopped before training began: no run was created");
        s.sink->onFinished(RunStatus::Cancelled);
        return RunStatus::Cancelled;
    }

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
        trainers.push_back(std::make_unique<ModelTrainer>(s.runIds[i], m, s.config.optimizer, device,
                                                          precisionFromString(s.config.precision)));
    }
    if (s.dataParallel.context) {
        SessionPlan plan;
        plan.config = s.config;
        for (const auto& t : trainers) plan.runs.emplace_back(t->runId(), t->model().config());
        plan.cacheKey = data.cacheKey;
        plan.dataRoot = corpus.root;
        announcement.publish(plan);
        for (auto& t : trainers) t->joinDataParallel(*s.dataParallel.context);  // rank 0's initial weights
    }
    s.sink->onRunsCreated(s.runIds, s.group);
    Session session{&store,
                    trainers,
                    data,
                    model,
                    /*startStep=*/0,
                    /*dataPosition=*/0,
                    /*priorSeconds=*/0.0,
                    [&] { abandon.release(); },  // from then on the loop records the outcome and checkpoints
                    [&] {
                        abandon.discard();
                        return RunStatus::Cancelled;
                    }};
    return train(session);
}

RunStatus Experiment::resume(int64_t runId, std::optional<int64_t> fromStep) {
    auto& s = *state_;
    if (isFollower(s.dataParallel)) return follow();
    PlanAnnouncement announcement(s.dataParallel.context);  // tells the other ranks if this ends early
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
    const torch::Device device = setUpCompute(s.config, s.dataParallel);
    const CorpusInfo corpus = detectCorpus(
        s.paths.dataDir.empty() ? runConfig.at("data").at("root").get<std::string>() : s.paths.dataDir);
    PreparedCorpus data = prepareCorpus(corpus, tokenizerSettingsFor(s.config), s.paths.cacheDir);
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
    if (step < 0)
        throw Error("run " + std::to_string(runId) + " has no intact checkpoint to resume from (" + problem +
                    ")");
    if (step != steps.front())
        s.sink->onLog("falling back to step " + std::to_string(step) +
                      ", the newest step whose checkpoints are all intact; later steps are trained again");
    for (const auto& run : runs) s.runIds.push_back(run.id);
    if (s.dataParallel.context) {  // the other ranks restore the very same checkpoints, sent by this rank
        SessionPlan plan;
        plan.config = s.config;
        plan.startStep = step;
        plan.dataPosition = restored.dataPosition;
        plan.priorSeconds = restored.wallSeconds;
        plan.cacheKey = data.cacheKey;
        plan.dataRoot = corpus.root;
        for (size_t i = 0; i < runs.size(); ++i) {
            plan.runs.emplace_back(runs[i].id, trainers[i]->model().config());
            for (const auto& checkpoint : store.checkpoints(runs[i].id))
                if (checkpoint.step == step) plan.checkpointFiles.push_back(checkpoint.path);
        }
        announcement.publish(plan);
        for (auto& t : trainers) t->joinDataParallel(*s.dataParallel.context);
    }
    s.sink->onRunsCreated(s.runIds, s.group);
    s.sink->onLog("resuming " + s.group + " at step " + std::to_string(step));
    Session session{&store,
                    trainers,
                    data,
                    trainers.front()->model().config(),
                    step,
                    restored.dataPosition,
                    restored.wallSeconds,
                    [&] { claim.trainingStarts(); },
                    [] { return RunStatus::Interrupted; }};  // the claim gives the runs back as they were
    return train(session);
}

// The tail of run() and resume(): the batches from the session's data position on, the curriculum, then
// the loop, whose outcome is recorded on every run of the group.
RunStatus Experiment::train(Session& session) {
    auto& s = *state_;
    auto trainTokens = std::make_shared<const std::vector<int32_t>>(std::move(session.data.train));
    const ModelConfig& model = session.model;
    Batcher batcher(trainTokens, model.maxContext, s.config.batchSize, model.seed);
    batcher.seek(session.dataPosition);
    const auto validation =
        validationBatches(session.data.valid, model.maxContext, s.config.batchSize, s.config.evalBatches);
    const int64_t totalSteps = s.config.totalSteps(batcher.batchesPerEpoch());
    s.sink->onLog("training " + std::to_string(session.trainers.size()) + " model(s) for " +
                  std::to_string(totalSteps) + " steps of " + std::to_string(s.config.batchSize) + "x" +
                  std::to_string(model.maxContext) + " tokens");
    std::unique_ptr<TrainingCurriculum> curriculum;
    if (s.hooks.curriculum)
        curriculum = s.hooks.curriculum({s.config, session.data.tokenizer, trainTokens, model.maxContext,
                                         [&s](const std::string& line) { s.sink->onLog(line); }});
    // Data-parallel ranks agree on a stop inside the loop (a stop now would leave the others waiting).
    if (!s.dataParallel.context && s.control->request() != TrainingControl::Request::None) {
        const RunStatus status = session.stoppedBeforeStart();
        s.sink->onLog(status == RunStatus::Cancelled
                          ? "stopped before the first step: the new runs were removed"
                          : "stopped before the first step: the runs are unchanged");
        s.sink->onFinished(status);
        return status;
    }
    session.trainingStarts();
    const auto runLoop = [&] {
        const TrainingData batches{batcher, validation, curriculum.get()};
        const StepRange range{session.startStep, totalSteps, session.priorSeconds};
        const TrainingChannels channels{*s.sink, *s.control, s.hooks.probe};
        TrainingLoop loop(
            s.config, session.store, session.trainers, batches, range, channels,
            [&s](ModelKind kind, int64_t step) { return checkpointPath(s.paths, s.group, kind, step); },
            s.dataParallel.context);
        return loop.run();
    };
    if (!session.store) return runLoop();  // another rank than 0: rank 0 records the outcome
    return recordOutcome(*session.store, s.runIds, *s.sink, runLoop);
}

RunStatus Experiment::follow() {
    auto& s = *state_;
    DistributedContext& context = *s.dataParallel.context;
    // Resumed checkpoints arrive as bytes (this rank may not see rank 0's disk): restored from a scratch
    // folder.
    const fs::path scratch =
        fs::temp_directory_path() /
        ("needlescope-rank" + std::to_string(context.rank()) + "-" + std::to_string(::getpid()));
    struct RemoveScratch {
        fs::path path;
        ~RemoveScratch() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    } removeScratch{scratch};
    ensureDirectory(scratch.string());
    SessionPlan plan;
    if (!receivePlan(context, scratch.string(), plan)) {
        s.sink->onFinished(RunStatus::Cancelled);
        return RunStatus::Cancelled;
    }
    s.config = plan.config;
    requireCurriculumHook(s.config, s.hooks);
    const torch::Device device = setUpCompute(s.config, s.dataParallel);
    const CorpusInfo corpus = detectCorpus(s.paths.dataDir.empty() ? plan.dataRoot : s.paths.dataDir);
    PreparedCorpus data = prepareCorpus(corpus, tokenizerSettingsFor(s.config), s.paths.cacheDir);
    if (data.cacheKey != plan.cacheKey)
        throw Error("rank " + std::to_string(context.rank()) + ": the data at '" + corpus.root +
                    "' differs from rank 0's (give every rank the same --data)");
    std::vector<std::unique_ptr<ModelTrainer>> trainers;
    for (size_t i = 0; i < plan.runs.size(); ++i) {
        trainers.push_back(std::make_unique<ModelTrainer>(plan.runs[i].first, plan.runs[i].second,
                                                          s.config.optimizer, device,
                                                          precisionFromString(s.config.precision)));
        if (i < plan.checkpointFiles.size()) trainers.back()->load(plan.checkpointFiles[i]);
    }
    for (auto& t : trainers) t->joinDataParallel(context);
    Session session{
        nullptr,           trainers,          data,  trainers.front()->model().config(),   plan.startStep,
        plan.dataPosition, plan.priorSeconds, [] {}, [] { return RunStatus::Interrupted; }};
    return train(session);
}

}  // namespace needlescope
