#include "core/store/StoreTypes.h"

#include "core/util/Error.h"

namespace needlescope {

std::string statusName(RunStatus status) {
    switch (status) {
        case RunStatus::Running:
            return "running";
        case RunStatus::Finished:
            return "finished";
        case RunStatus::Interrupted:
            return "interrupted";
        case RunStatus::Cancelled:
            return "cancelled";
        case RunStatus::Failed:
            return "failed";
    }
    return "unknown";
}

RunStatus runStatusFromString(const std::string& text) {
    for (RunStatus s : {RunStatus::Running, RunStatus::Finished, RunStatus::Interrupted, RunStatus::Cancelled,
                        RunStatus::Failed}) {
        if (statusName(s) == text) return s;
    }
    throw Error("Unknown run status '" + text +
                "' (expected running, finished, interrupted, cancelled or failed)");
}

}  // namespace needlescope
