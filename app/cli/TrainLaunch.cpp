#include "app/cli/TrainLaunch.h"

#include <QTextStream>
#include <thread>

#include "app/cli/CliSupport.h"
#include "app/cli/LocalLauncher.h"
#include "core/util/Error.h"

namespace needlescope::cli {
namespace {

// `args` without the options named in `drop` (as "--name value" or "--name=value").
QStringList withoutOptions(const QStringList& args, const QStringList& drop) {
    QStringList kept;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        bool dropped = false;
        for (const QString& name : drop) {
            if (a == "--" + name) {
                ++i;  // its value
                dropped = true;
            } else if (a.startsWith("--" + name + "=")) {
                dropped = true;
            }
        }
        if (!dropped) kept.push_back(a);
    }
    return kept;
}

}  // namespace

std::optional<RankEnv> rankEnvOrUsageError() {
    try {
        return rankEnvFromEnvironment();
    } catch (const Error& e) {
        throw BadUsage(e.what());
    }
}

int localProcessCount(const QCommandLineParser& parser, const std::optional<RankEnv>& rankEnv) {
    if (!parser.isSet("nproc")) return 1;
    if (rankEnv)
        throw BadUsage(
            "--nproc starts local processes itself; a process started by torchrun (RANK and "
            "WORLD_SIZE are set) is already one rank of a job: leave --nproc out");
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int n = parseInt(parser, "nproc", 1);
    if (n > cores)
        throw BadUsage("--nproc expects 1 to " + std::to_string(cores) +
                       " (one process per CPU core of this machine), got " + std::to_string(n) +
                       "; for more ranks, launch on several machines with torchrun");
    return n;
}

Placement placementOf(const QCommandLineParser& parser, int seeds) {
    if (!parser.isSet("placement")) return Placement::Batches;  // measured as fast as whole runs, or faster
    const QString value = parser.value("placement");
    if (value == "batches") return Placement::Batches;
    if (value == "runs") {
        if (seeds < 2)
            throw BadUsage(
                "--placement runs places whole runs of a study on processes: it needs --seeds 2 or more");
        return Placement::Runs;
    }
    throw BadUsage("--placement expects 'batches' or 'runs', got '" + value.toStdString() + "'");
}

std::pair<int, int> seedShareOf(const QCommandLineParser& parser) {
    if (!parser.isSet("seed-share")) return {0, 1};
    const QStringList parts = parser.value("seed-share").split('/');
    bool okIndex = false, okCount = false;
    const int index = parts.size() == 2 ? parts[0].toInt(&okIndex) : -1;
    const int count = parts.size() == 2 ? parts[1].toInt(&okCount) : 0;
    if (!okIndex || !okCount || count < 1 || index < 0 || index >= count)
        throw BadUsage("--seed-share expects I/N with 0 <= I < N, got '" +
                       parser.value("seed-share").toStdString() + "'");
    return {index, count};
}

int launchTrain(const QStringList& args, const LaunchPlan& plan) {
    QStringList base = withoutOptions(args, {"nproc", "threads", "placement", "seed-share", "study-name"});
    base << "--threads" << QString::number(plan.threadsPerProcess);
    if (!plan.studyName.empty()) base << "--study-name" << QString::fromStdString(plan.studyName);
    std::vector<LocalProcess> processes(size_t(plan.processes));
    std::optional<LocalRendezvous> rendezvous;
    if (plan.placement == Placement::Batches) rendezvous.emplace();  // the ranks' TCPStore, on 127.0.0.1
    for (int r = 0; r < plan.processes; ++r) {
        auto& p = processes[size_t(r)];
        p.args = base;
        if (plan.placement == Placement::Runs) {
            p.args << "--seed-share" << QString("%1/%2").arg(r).arg(plan.processes);
            continue;
        }
        p.env = {{"RANK", std::to_string(r)},
                 {"WORLD_SIZE", std::to_string(plan.processes)},
                 {"LOCAL_RANK", std::to_string(r)},
                 {"LOCAL_WORLD_SIZE", std::to_string(plan.processes)},
                 {"MASTER_ADDR", "127.0.0.1"},
                 {"MASTER_PORT", std::to_string(rendezvous->port())},
                 {"TORCHELASTIC_USE_AGENT_STORE", "True"}};
    }
    QTextStream(stderr) << "starting " << plan.processes << " processes of " << plan.threadsPerProcess
                        << " thread(s) each, "
                        << (plan.placement == Placement::Batches ? "splitting every batch (data-parallel)"
                                                                 : "each training whole runs")
                        << "\n";
    return superviseLocalProcesses(processes);
}

}  // namespace needlescope::cli
