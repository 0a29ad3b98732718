// `needlescope-cli train`: a paired (or single) training experiment, stored in the run store.
#include <unistd.h>

#include <QCommandLineParser>
#include <QDateTime>
#include <QTextStream>
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <thread>
#include <tuple>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "app/cli/ProgressPrinter.h"
#include "app/cli/StopOnSignal.h"
#include "app/cli/TrainLaunch.h"
#include "core/probe/TrainingProbe.h"
#include "core/train/Experiment.h"
#include "core/train/SeedStudy.h"
#include "core/train/TrainConfig.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "ui/settings/AppPaths.h"

namespace needlescope::cli {
namespace {

// A run stopped by SIGINT/SIGTERM is resumable but not done: scripts must tell it from a finished one.
int exitCodeFor(RunStatus status) {
    switch (status) {
        case RunStatus::Finished:
            return Ok;
        case RunStatus::Interrupted:
        // The CLI only ever stops (on a signal); a stop before the first step leaves no run and comes back
        // as Cancelled: still "stopped by Ctrl-C or SIGTERM", not an error.
        case RunStatus::Cancelled:
            return Interrupted;
        default:
            return RuntimeError;
    }
}

}  // namespace

int runTrain(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Trains standard and DIFF models on the same batches and stores the runs.\n"
        "Exit codes: 0 finished, 1 error, 2 bad command line or config, 3 stopped by Ctrl-C or SIGTERM "
        "(checkpointed; continue with --resume RUN).");
    parser.addHelpOption();
    parser.addPositionalArgument("train", "command name");
    parser.addOptions({
        {"preset",
         "Preset name (" + QString::fromStdString([] {
             std::string names;
             for (const auto& n : presetNames()) names += (names.empty() ? "" : ", ") + n;
             return names;
         }()) +
             ").",
         "name", "quick"},
        {"config", "Training config JSON file (instead of --preset).", "file"},
        {"models", "Comma-separated model kinds: standard,diff,diff2.", "list"},
        {"data", "Corpus folder (WikiText-2/103 or plain text).", "dir"},
        {"db", "Run store (SQLite) path.", "file"},
        {"epochs", "Epochs over the train split (overrides the preset).", "x"},
        {"threads", "Intra-op threads (0 = all cores).", "n"},
        {"device", "cpu, cuda, cuda:N or auto.", "device"},
        {"precision", "fp32, or bf16 (autocast; CUDA only).", "precision"},
        {"probe-every", "Run the needle probe every N steps (0 = off).", "n"},
        {"curriculum", "Fraction of training sequences built as needle tasks (0-1).", "f"},
        {"needle-loss", "How needle tasks count in the loss: answer, all, or a weight for answer tokens.",
         "mode"},
        {"seeds", "Train K paired runs with seeds base, base+1, ... as one study (tag study:<name>).", "k",
         "1"},
        {"resume",
         "Continue the interrupted run RUN (and its paired runs) from the newest intact checkpoint.", "run"},
        {"from-step", "With --resume: continue from the checkpoints of step S instead.", "s"},
        {"nproc",
         "Start N local processes: data-parallel ranks that split every batch (Gloo over 127.0.0.1), or with "
         "--seeds K processes that each train whole runs. Under torchrun leave it out.",
         "n"},
        {"placement",
         "With --seeds K and --nproc N: 'batches' (every run data-parallel over the N processes, the "
         "default) or 'runs' (whole runs per process, no communication).",
         "mode"},
    });
    parser.addOptions(presetOverrideOptions());
    // Set by the launcher on the processes it starts.
    for (const char* hidden : {"seed-share", "study-name"}) {
        QCommandLineOption option(hidden, hidden, "value");
        option.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(option);
    }
    if (!parseOrExplain(parser, args)) return Ok;
    const std::optional<RankEnv> rankEnv = rankEnvOrUsageError();
    const int processes = localProcessCount(parser, rankEnv);
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int threadsFlag = parser.isSet("threads") ? parseInt(parser, "threads", 0) : 0;

    const auto paths = app::resolveAppPaths(parser.value("db"), parser.value("data"));
    ExperimentPaths experimentPaths;
    experimentPaths.dbPath = paths.dbPath.toStdString();
    experimentPaths.checkpointDir = paths.checkpointDir.toStdString();
    experimentPaths.cacheDir = paths.cacheDir.toStdString();

    ProgressPrinter printer(isatty(STDOUT_FILENO));
    TrainingControl control;
    // Rank 0 (or the only process) reports; the others train silently, errors aside.
    std::unique_ptr<DistributedContext> context;
    DataParallel dataParallel;
    const auto joinJob = [&](const std::string& device) {
        if (!rankEnv || rankEnv->worldSize < 2) return;
        dataParallel.context = nullptr;
        context = DistributedContext::join(*rankEnv, resolveDevice(device));
        dataParallel.context = context.get();
        const char* localWorld = std::getenv("LOCAL_WORLD_SIZE");
        const int perMachine = localWorld ? std::max(1, std::atoi(localWorld)) : 1;
        dataParallel.threads = threadsFlag > 0 ? threadsFlag : std::max(1, cores / perMachine);
        dataParallel.localRank = rankEnv->localRank;
    };
    const auto sink = [&]() -> TrainingSink* { return context && !context->isLeader() ? nullptr : &printer; };
    // The small needle probe every probe_every steps, stored with the run (DESIGN §5).
    TrainingProbeSettings probeSettings;
    probeSettings.dbPath = experimentPaths.dbPath;
    if (parser.isSet("data")) probeSettings.dataDir = paths.locateData().toStdString();
    ExperimentHooks hooks =
        makeTrainingProbeHooks(probeSettings, [&printer](const std::string& line) { printer.onLog(line); });

    if (parser.isSet("from-step") && !parser.isSet("resume"))
        throw BadUsage("--from-step needs --resume RUN");
    if (parser.isSet("resume")) {
        const int64_t runId = parseRunId(parser.value("resume"), "resume");
        std::optional<int64_t> fromStep;
        if (parser.isSet("from-step")) fromStep = parseInt(parser, "from-step", 0);
        if (processes > 1)
            return launchTrain(args, {processes,
                                      Placement::Batches,
                                      threadsFlag > 0 ? threadsFlag : std::max(1, cores / processes),
                                      {}});
        if (parser.isSet("data")) experimentPaths.dataDir = paths.locateData().toStdString();
        stopOnSignal(control);
        joinJob(parser.isSet("device") ? parser.value("device").toStdString() : "cpu");
        Experiment experiment(TrainConfig{}, experimentPaths, sink(), &control, hooks);
        experiment.setDataParallel(dataParallel);
        return exitCodeFor(experiment.resume(runId, fromStep));
    }

    TrainConfig config = loadTrainConfig(parser);
    if (parser.isSet("models")) config.kinds = parseModelKinds(parser.value("models"));
    if (parser.isSet("epochs")) {
        config.epochs = parseDouble(parser, "epochs", 0, 1e6);
        if (!(config.epochs > 0))
            throw BadUsage("--epochs must be positive, got '" + parser.value("epochs").toStdString() + "'");
        config.steps = 0;
    }
    if (parser.isSet("threads")) config.threads = parseInt(parser, "threads", 0);
    if (parser.isSet("device")) config.device = parser.value("device").toStdString();
    if (parser.isSet("precision")) config.precision = parser.value("precision").toStdString();
    if (parser.isSet("probe-every")) config.probeEvery = parseInt(parser, "probe-every", 0);
    if (parser.isSet("curriculum")) config.curriculumFraction = parseDouble(parser, "curriculum", 0.0, 1.0);
    if (parser.isSet("needle-loss")) {
        try {
            config.needleLoss = NeedleLoss::fromString(parser.value("needle-loss").toStdString());
        } catch (const Error& e) {
            throw BadUsage(e.what());
        }
    }
    const int seeds = parseInt(parser, "seeds", 1);
    if (auto error = config.validationError()) throw BadUsage(*error);
    experimentPaths.dataDir = paths.locateData().toStdString();
    const Placement placement = placementOf(parser, seeds);
    // Data-parallel ranks (local ones, or a torchrun job's) each need at least one row of every batch.
    const bool splitsBatches = processes > 1 ? placement == Placement::Batches : rankEnv.has_value();
    const int ranks = processes > 1 ? processes : rankEnv ? rankEnv->worldSize : 1;
    if (splitsBatches && ranks > config.batchSize)
        throw BadUsage("a batch of " + std::to_string(config.batchSize) + " rows cannot be split over " +
                       std::to_string(ranks) + " processes: use at most " + std::to_string(config.batchSize));
    const std::string name = parser.isSet("study-name")
                                 ? parser.value("study-name").toStdString()
                                 : config.name + "-study-" +
                                       QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss").toStdString();
    if (processes > 1) {
        // Whole runs: no more processes than seeds, each with its share of the cores.
        const int n = placement == Placement::Runs ? std::min(processes, seeds) : processes;
        return launchTrain(args, {n, placement, threadsFlag > 0 ? threadsFlag : std::max(1, cores / n),
                                  seeds > 1 ? name : std::string()});
    }
    stopOnSignal(control);
    joinJob(config.device);

    if (sink()) QTextStream(stdout) << "run store: " << paths.dbPath << "\n";
    if (seeds > 1) {
        SeedPlacement seedPlacement;
        seedPlacement.dataParallel = dataParallel;
        std::tie(seedPlacement.shareIndex, seedPlacement.shareCount) = seedShareOf(parser);
        const SeedStudyResult study =
            trainSeeds(config, seeds, name, experimentPaths, sink(), &control, hooks, seedPlacement);
        if (sink())
            QTextStream(stdout) << "study " << QString::fromStdString(name) << ": " << study.groups.size()
                                << " paired experiment(s); report with `needlescope-cli study --analyse "
                                << QString::fromStdString(name) << "`\n";
        return exitCodeFor(study.status);
    }
    Experiment experiment(config, experimentPaths, sink(), &control, hooks);
    experiment.setDataParallel(dataParallel);
    return exitCodeFor(experiment.run());
}

}  // namespace needlescope::cli
