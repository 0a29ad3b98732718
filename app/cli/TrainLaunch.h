#pragma once
// How `train` spreads over processes (issue 11): `--nproc N` starts N local processes of this command —
// data-parallel ranks that split every batch, or, for `--seeds K`, processes that each train whole runs —
// and a process started by torchrun (RANK, WORLD_SIZE, ... set) joins its job as one rank.
#include <QCommandLineParser>
#include <QStringList>
#include <optional>
#include <string>

#include "core/train/DistributedContext.h"

namespace needlescope::cli {

enum class Placement { Batches, Runs };

struct LaunchPlan {
    int processes = 1;
    Placement placement = Placement::Batches;
    int threadsPerProcess = 1;
    std::string studyName;  // seeds > 1: the name every process uses
};

// torchrun's variables, or nullopt; an incomplete set (e.g. no MASTER_ADDR) is a usage error.
std::optional<RankEnv> rankEnvOrUsageError();
// --nproc checked against this machine (1 to its core count) and against a torchrun launch; 1 when unset.
int localProcessCount(const QCommandLineParser& parser, const std::optional<RankEnv>& rankEnv);
// --placement: batches (the default: as fast as whole runs on 2 cores, or slightly faster) or runs (needs
// `seeds` > 1).
Placement placementOf(const QCommandLineParser& parser, int seeds);
// --seed-share I/N of a process started by the launcher with --placement runs: {I, N} (default {0, 1}).
std::pair<int, int> seedShareOf(const QCommandLineParser& parser);

// Starts the processes of `plan` with `args` (this command's arguments, minus --nproc, --threads,
// --placement) and supervises them; returns the exit code (LocalLauncher.h).
int launchTrain(const QStringList& args, const LaunchPlan& plan);

}  // namespace needlescope::cli
