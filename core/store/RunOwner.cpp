#include "core/store/RunOwner.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace needlescope {
namespace {

std::string hostName() {
    char buffer[256] = {};
    if (gethostname(buffer, sizeof buffer - 1) != 0) return "localhost";
    return buffer;
}

std::string readFirstLine(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string bootId() { return readFirstLine("/proc/sys/kernel/random/boot_id"); }

struct ProcStat {
    bool exists = false;
    char state = '?';
    std::string startTime;
};

// /proc/<pid>/stat is "pid (comm) state ppid ... starttime ..."; comm may hold spaces and parentheses,
// so fields are counted from the last ')'. The state is field 3 and the start time field 22.
ProcStat procStat(int64_t pid) {
    ProcStat result;
    const std::string line = readFirstLine("/proc/" + std::to_string(pid) + "/stat");
    const auto close = line.rfind(')');
    if (close == std::string::npos) return result;
    std::istringstream fields(line.substr(close + 1));
    std::vector<std::string> rest;
    for (std::string field; fields >> field;) rest.push_back(field);
    if (rest.size() < 20) return result;
    result.exists = true;
    result.state = rest[0].empty() ? '?' : rest[0][0];
    result.startTime = rest[19];
    return result;
}

std::string makeToken() {
    const std::string boot = bootId();
    const ProcStat self = procStat(getpid());
    if (!boot.empty() && self.exists) return "linux:" + boot + ":" + self.startTime;
    static const std::string random = [] {
        std::random_device device;
        std::ostringstream text;
        text << std::hex << device() << device() << device() << device();
        return text.str();
    }();
    return "pid:" + random;
}

OwnerState linuxOwnerState(const RunOwner& owner, const std::string& ownerBoot,
                           const std::string& startTime) {
    if (ownerBoot != bootId()) return OwnerState::Dead;  // the machine rebooted since
    const ProcStat stat = procStat(owner.pid);
    if (!stat.exists || stat.startTime != startTime) return OwnerState::Dead;  // gone, or pid reused
    if (stat.state == 'Z' || stat.state == 'X') return OwnerState::Dead;       // exited, not yet reaped
    return OwnerState::Alive;
}

}  // namespace

RunOwner currentRunOwner() { return RunOwner{hostName(), static_cast<int64_t>(getpid()), makeToken()}; }

OwnerState ownerState(const RunOwner& owner) {
    const RunOwner self = currentRunOwner();
    if (owner.host != self.host) return OwnerState::Unknown;
    if (owner.pid == self.pid && owner.token == self.token) return OwnerState::Alive;
    if (owner.pid <= 0) return OwnerState::Dead;

    const std::string linuxPrefix = "linux:";
    if (owner.token.compare(0, linuxPrefix.size(), linuxPrefix) == 0 && !bootId().empty()) {
        const std::string rest = owner.token.substr(linuxPrefix.size());
        const auto colon = rest.rfind(':');
        if (colon != std::string::npos)
            return linuxOwnerState(owner, rest.substr(0, colon), rest.substr(colon + 1));
    }
    if (kill(static_cast<pid_t>(owner.pid), 0) == 0 || errno == EPERM) return OwnerState::Alive;
    return OwnerState::Dead;
}

std::string ownerDescription(const RunOwner& owner) {
    return "process " + std::to_string(owner.pid) + " on host " + (owner.host.empty() ? "?" : owner.host);
}

}  // namespace needlescope
