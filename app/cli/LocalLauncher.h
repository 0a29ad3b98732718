#pragma once
// `train --nproc N`: starts N local processes of this same executable and supervises them (issue 11). Each
// gets its own arguments and environment (torchrun's RANK, WORLD_SIZE, ... for data-parallel ranks). When
// one process fails, the others are given a few seconds to stop by themselves (a data-parallel rank notices
// a lost peer at once), then terminated. SIGINT/SIGTERM sent to the launcher reach every process once.
#include <QStringList>
#include <functional>
#include <map>
#include <string>

namespace needlescope::cli {

struct LocalProcess {
    QStringList args;                        // after the program name, e.g. {"train", "--preset", ...}
    std::map<std::string, std::string> env;  // added to this process's environment
};

// Returns 0 when every process exited 0; 3 when one was stopped by a signal and none failed; else the exit
// code of the first process that failed (1 for one killed by a signal).
int superviseLocalProcesses(const std::vector<LocalProcess>& processes);

}  // namespace needlescope::cli
