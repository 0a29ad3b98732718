#include "app/cli/LocalLauncher.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QTextStream>
#include <chrono>
#include <cstring>
#include <vector>

#include "app/cli/Commands.h"
#include "core/util/Error.h"

namespace needlescope::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kGrace = std::chrono::seconds(10);  // for the others to stop by themselves after a failure
constexpr auto kTermGrace = std::chrono::seconds(5);

struct Child {
    pid_t pid = -1;
    bool running = false;
    int exitCode = 0;
};

pid_t spawn(const std::string& exe, const LocalProcess& process, const sigset_t& oldMask) {
    // Everything the child needs is prepared here: between fork and exec it may only make system calls
    // (other threads of this process may hold the allocator's lock).
    std::vector<std::string> args{exe};
    for (const QString& a : process.args) args.push_back(a.toStdString());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry(*e);
        if (!process.env.count(entry.substr(0, entry.find('=')))) env.push_back(entry);
    }
    for (const auto& [name, value] : process.env) env.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw Error(std::string("cannot start a local rank: ") + std::strerror(errno));
    if (pid > 0) return pid;
    // The child: its own process group (a terminal's Ctrl-C reaches the launcher alone, which passes one
    // signal on), stopped when the launcher dies, default signal handling until it installs its own.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(RuntimeError);
    sigprocmask(SIG_SETMASK, &oldMask, nullptr);
    execve(exe.c_str(), argv.data(), envp.data());
    _exit(127);
}

int codeOf(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : RuntimeError; }

QString describe(int rank, pid_t pid, int status) {
    if (WIFSIGNALED(status))
        return QString("process %1 (pid %2) was killed by signal %3")
            .arg(rank)
            .arg(pid)
            .arg(WTERMSIG(status));
    return QString("process %1 (pid %2) exited with code %3").arg(rank).arg(pid).arg(WEXITSTATUS(status));
}

}  // namespace

int superviseLocalProcesses(const std::vector<LocalProcess>& processes) {
    const std::string exe = QCoreApplication::applicationFilePath().toStdString();
    sigset_t signals, oldMask;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &signals, &oldMask);  // received below with sigtimedwait

    std::vector<Child> children(processes.size());
    for (size_t r = 0; r < processes.size(); ++r) {
        children[r].pid = spawn(exe, processes[r], oldMask);
        children[r].running = true;
    }
    QTextStream err(stderr);
    int firstFailure = -1;  // index of the first process that failed
    bool stopped = false;
    Clock::time_point failedAt;
    bool terminated = false, killed = false;
    size_t running = children.size();
    while (running > 0) {
        timespec wait{0, 100 * 1000 * 1000};
        const int signal = sigtimedwait(&signals, nullptr, &wait);
        if (signal == SIGINT || signal == SIGTERM) {
            if (stopped) {  // a second Ctrl-C: quit at once, like a single process does
                for (const auto& c : children)
                    if (c.running) kill(c.pid, SIGKILL);
            } else {
                err << "\nstopping every process after its current step (checkpoint + resumable)\n";
                err.flush();
                for (const auto& c : children)
                    if (c.running) kill(c.pid, SIGTERM);
            }
            stopped = true;
        }
        int status = 0;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            for (size_t r = 0; r < children.size(); ++r) {
                if (children[r].pid != pid || !children[r].running) continue;
                children[r].running = false;
                children[r].exitCode = codeOf(status);
                --running;
                const int code = children[r].exitCode;
                const bool failed = WIFSIGNALED(status) || (code != Ok && code != Interrupted);
                if (failed && firstFailure < 0 && !killed) {
                    firstFailure = int(r);
                    failedAt = Clock::now();
                    err << "needlescope-cli: " << describe(int(r), pid, status)
                        << (running > 0 ? "; stopping the other processes" : "") << "\n";
                    err.flush();
                } else if (failed && !terminated) {
                    // Failed on its own, before we stopped it: often the cause (a rank killed by a signal
                    // is reaped after the rank that lost contact with it), so it is always reported.
                    err << "needlescope-cli: " << describe(int(r), pid, status) << "\n";
                    err.flush();
                }
            }
        }
        if (firstFailure >= 0 && running > 0) {
            const auto since = Clock::now() - failedAt;
            if (!terminated && since > kGrace) {
                terminated = true;
                for (const auto& c : children)
                    if (c.running) kill(c.pid, SIGTERM);
            } else if (terminated && !killed && since > kGrace + kTermGrace) {
                killed = true;
                for (const auto& c : children)
                    if (c.running) kill(c.pid, SIGKILL);
            }
        }
    }
    sigprocmask(SIG_SETMASK, &oldMask, nullptr);
    if (firstFailure >= 0) {
        const int code = children[size_t(firstFailure)].exitCode;
        return code == Ok ? RuntimeError : code;
    }
    for (const auto& c : children)
        if (c.exitCode == Interrupted) return Interrupted;
    return Ok;
}

}  // namespace needlescope::cli
