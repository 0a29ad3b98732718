#pragma once
// Plain records that the run store reads and writes; no SQLite here.
#include <cstdint>
#include <string>
#include <vector>

#include "core/store/RunOwner.h"

namespace needlescope {

enum class RunStatus { Running, Finished, Interrupted, Cancelled, Failed };

std::string statusName(RunStatus status);                // "running", "finished", ...
RunStatus runStatusFromString(const std::string& text);  // inverse of toString; throws Error otherwise

// Times are whole seconds since the Unix epoch (UTC); 0 means "not set".
struct RunRecord {
    int64_t id = 0;
    std::string group, name, kind;
    std::string configJson;
    RunStatus status = RunStatus::Running;
    int64_t createdAt = 0, finishedAt = 0;
    std::vector<std::string> tags;
    std::string notes;
    int64_t lastStep = 0;
    RunOwner owner;           // the process that writes it while `running` (RunOwner.h)
    bool writerGone = false;  // `running`, but that process no longer exists (not yet marked interrupted)

    // What the run really is: `interrupted` when its writer is gone, even before a writer marks it so.
    RunStatus effectiveStatus() const { return writerGone ? RunStatus::Interrupted : status; }
};

struct NewRun {
    std::string group, name, kind, configJson;
};

// One value of one named metric at one training step. A NaN value round-trips as NaN.
struct MetricPoint {
    int64_t step = 0;
    std::string name;
    double value = 0;
    int64_t tokens = 0;
    double wallTime = 0;
};

struct CheckpointRecord {
    int64_t runId = 0;
    int64_t step = 0;
    std::string path;
    int64_t createdAt = 0;
};

// Attention mass of one query row per bucket of keys (DESIGN §4).
struct BucketValues {
    double sink = 0, answer = 0, noise = 0, query = 0;
};

// One probed (sample, layer, head) at one checkpoint step, depth and context length.
struct ProbeRow {
    int64_t runId = 0;
    int64_t step = 0;
    double depth = 0;
    int64_t contextLength = 0;
    int64_t needles = 1;
    int64_t sample = 0;
    int64_t layer = 0;
    int64_t head = 0;
    BucketValues signedNorm, absolute, raw;
    double signedTotal = 0;
    bool hit = false;
    // Probe settings, part of the stored key: a re-probe with other settings never overwrites these rows.
    std::string query = "last";         // query row: "last" | "question"
    std::string answerSpan = "number";  // answer bucket: "number" | "needle"
    int64_t probeSeed = 0;              // the prompts' seed
    double placedDepth = 0;             // where the needle really went, percent of the haystack
};

// Means over every probe row of one run at one (step, context length, depth).
struct ProbeAggregate {
    int64_t step = 0;
    int64_t contextLength = 0;
    double depth = 0;
    int64_t rows = 0;
    BucketValues signedNorm, absolute, raw;
    double signedTotal = 0;
    double hitRate = 0;  // fraction of rows with hit == true
};

// Empty fields match everything. `text` is a case-insensitive (ASCII) substring of the name, group,
// kind, notes or any tag; `group` must equal the run's group exactly.
struct RunFilter {
    std::string text;
    std::string group;
};

}  // namespace needlescope
