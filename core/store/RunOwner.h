#pragma once
// Who writes a `running` run, and whether that writer still exists.
//
// A run in `running` state records its writer as (host name, pid, token). On Linux the token is
// "linux:<boot id>:<process start time>": the boot id (/proc/sys/kernel/random/boot_id) changes on every
// reboot and the start time (field 22 of /proc/<pid>/stat, in clock ticks since boot) differs between two
// processes that happen to get the same pid, so "same boot id, /proc/<pid>/stat exists, same start time,
// not a zombie" identifies exactly the original writer — with no heartbeat to keep up, and immune to pid
// reuse and to reboots. Elsewhere the token is "pid:<random>" and liveness falls back to kill(pid, 0).
// A writer on another host cannot be checked at all; its runs are left as they are (Unknown).
#include <cstdint>
#include <string>

namespace needlescope {

struct RunOwner {
    std::string host;
    int64_t pid = 0;
    std::string token;
};

enum class OwnerState { Alive, Dead, Unknown };

RunOwner currentRunOwner();  // this process (computed on each call, so a forked child gets its own)
OwnerState ownerState(const RunOwner& owner);
std::string ownerDescription(const RunOwner& owner);  // "process <pid> on host <host>"

}  // namespace needlescope
