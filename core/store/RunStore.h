#pragma once
// The SQLite run store (DESIGN §5): runs, their metrics, checkpoints and probe results.
//
// The file is in WAL mode with a busy time-out, every write is one short BEGIN IMMEDIATE transaction, so
// one process can write (the trainer) while others read (the UI) without "database is locked" errors.
// Files that are not SQLite, are corrupted, belong to another program or have a newer schema are reported
// with an Error naming the file, and are never modified.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/store/Sqlite.h"
#include "core/store/StoreTypes.h"

namespace needlescope {

// The runs of a new experiment group, claimed together (RunStore::createGroup).
struct ClaimedGroup {
    std::string group;
    std::vector<int64_t> runIds;  // in the order makeRuns returned them
};

// One connection: movable, not copyable, not thread-safe (open one per thread).
class RunStore {
  public:
    // Creates the file (not its folder) when missing, upgrades an older schema, and marks runs left
    // `running` by a writer that no longer exists as `interrupted` (RunOwner.h). With `readOnly` nothing is
    // ever written: the file must exist and have the current schema, and every write throws Error.
    static RunStore open(const std::string& path, bool readOnly = false);

    RunStore(RunStore&&) noexcept = default;
    RunStore& operator=(RunStore&&) noexcept = default;
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    const std::string& path() const;
    bool isReadOnly() const { return readOnly_; }
    // Runs that this open() found orphaned and marked `interrupted` (oldest first).
    const std::vector<int64_t>& interruptedOnOpen() const { return interruptedOnOpen_; }

    // Runs. Reads of a missing run id throw Error only from run(); writes to one always throw.
    // Status Running, owned by this process; the config must be JSON text or empty.
    int64_t createRun(const NewRun& run);
    // A new group in one transaction, so that concurrent experiments never share one: the first of `base`,
    // `base-2`, `base-3`, ... that no run uses and `isFree` (when given) accepts becomes the group of every
    // run `makeRuns(group)` returns (their own `group` is ignored). Status Running, owned by this process.
    ClaimedGroup createGroup(const std::string& base,
                             const std::function<std::vector<NewRun>(const std::string& group)>& makeRuns,
                             const std::function<bool(const std::string& group)>& isFree = {});
    // Makes this process the owner of every run of `runId`'s group (status Running), in one transaction
    // that first refuses a finished run, and a group that a live process (or one on another host, which
    // cannot be checked) trains: "run N is being trained by process P on host H". Returns the group's runs
    // by id as they were before the claim.
    std::vector<RunRecord> claimForResume(int64_t runId);
    RunRecord run(int64_t id) const;
    std::vector<RunRecord> runs(const RunFilter& filter = {}) const;  // newest first
    std::vector<RunRecord> group(const std::string& group) const;     // in creation order
    // Finished/Cancelled/Failed set finished_at to now; Interrupted clears it; Running clears it and makes
    // this process the run's owner (resume). No transition is refused: callers check the current status.
    void setStatus(int64_t id, RunStatus status);
    void setTags(int64_t id, const std::vector<std::string>& tags);
    void setNotes(int64_t id, const std::string& notes);
    void setLastStep(int64_t id, int64_t step);
    // Deletes the run with its metrics, checkpoints and probe rows; returns the checkpoint paths (by step)
    // so the caller can remove those files. Refused while a live process (this one included) trains it.
    std::vector<std::string> deleteRun(int64_t id);

    // Metrics: one transaction per call; a (name, step) written again replaces the earlier value.
    void appendMetrics(int64_t runId, const std::vector<MetricPoint>& points);
    // All metrics (or those named `name`), ordered by step, then name.
    std::vector<MetricPoint> metrics(int64_t runId, const std::string& name = {}) const;
    std::vector<std::string> metricNames(int64_t runId) const;  // sorted
    // Each metric's value at its last step, ordered by name.
    std::vector<MetricPoint> latestMetrics(int64_t runId) const;

    // Checkpoints: one per (run, step); adding the same step again replaces the record.
    void addCheckpoint(int64_t runId, int64_t step, const std::string& path);
    std::vector<CheckpointRecord> checkpoints(int64_t runId) const;  // by step
    // Copies what the -wal file holds into the database file as far as no reader prevents it (PASSIVE,
    // never waits), so a damaged -wal file can cost at most the writes since the last call.
    void checkpointWal();

    // Probe results: one transaction per call; a row with the same (run, step, context length, depth,
    // needles, sample, layer, head) replaces the earlier one.
    void addProbeRows(const std::vector<ProbeRow>& rows);
    // By step, context length, depth, needles, sample, layer, head.
    std::vector<ProbeRow> probeRows(int64_t runId, std::optional<int64_t> step = {}) const;
    std::vector<int64_t> probeSteps(int64_t runId) const;              // ascending
    std::vector<ProbeAggregate> probeAggregates(int64_t runId) const;  // by step, context length, depth

    int schemaVersion() const;
    static int currentSchemaVersion();

  private:
    RunStore(sqlite::Database db, bool readOnly);
    void requireWritable(const std::string& what) const;
    void requireRun(int64_t id) const;
    void markOrphanedRunsInterrupted();
    void requireValidConfig(const NewRun& run) const;

    sqlite::Database db_;
    bool readOnly_ = false;
    std::vector<int64_t> interruptedOnOpen_;
};

}  // namespace needlescope
