#pragma once
// The run store seen as a catalog of typed run summaries, for the GUI and the CLI alike: each run's config
// JSON parsed once (core/train's own parsers, no copied key strings), its best validation loss, and the
// headline answer / noise of its last probe computed as the probe report computes them (per sample: mean
// over heads, then layers; core/probe/ProbeReport.h). Deleting a run goes through here too, so its
// checkpoint files, their emptied folders and the group's tokenizer copy leave with it. No LibTorch and no
// Qt in this header.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/ModelConfig.h"
#include "core/store/RunStore.h"
#include "core/train/TrainConfig.h"

namespace needlescope {

// The run config (DESIGN §5) as the trainer wrote it: {"train", "model", "data", "tokenizer_model"}.
struct RunConfig {
    TrainConfig train;
    ModelConfig model;  // the run's own model (kind included)
    std::string dataRoot, dataLayout, cacheKey;
    std::string tokenizerModel;  // the group's copy of the sentencepiece model
};
// Throws Error when `json` is not a run config.
RunConfig parseRunConfig(const std::string& json);

// Answer and noise (signed normalisation) of the probe `report` shows by default (latest step, longest
// context, fewest needles, default probe settings): per depth the report's mean over samples of the
// per-sample mean over heads then layers; then the mean over depths.
struct ProbeHeadline {
    int64_t step = 0;
    double answer = 0, noise = 0;
};
std::optional<ProbeHeadline> probeHeadline(const std::vector<ProbeRow>& rows);

struct RunSummary {
    int64_t id = 0;
    std::string group, name, kind;          // kind as recorded ("standard" | "diff")
    RunStatus status = RunStatus::Running;  // effective: Interrupted when its writer is gone
    bool writerGone = false;                // stored as running, but the process writing it no longer exists
    int64_t createdAt = 0, finishedAt = 0;
    std::vector<std::string> tags;
    std::string notes;
    int64_t steps = 0;  // last step recorded (or the last metric's step, when later)

    std::optional<RunConfig> config;  // unset when the stored config is empty or unreadable
    std::string configError;          // why, when unreadable

    // With results only (RunCatalog::run / runs with withResults):
    double bestValLoss = 0;  // NaN when never validated
    int64_t bestValStep = 0;
    std::optional<ProbeHeadline> headline;  // unset when never probed
};

struct DeletedRun {
    int64_t filesRemoved = 0;
    bool groupFolderRemoved = false;    // the group's last run: its folder (tokenizer copy) went too
    std::vector<std::string> problems;  // files that could not be removed
};

// Reads only: open it on a read-only store as well.
class RunCatalog {
  public:
    explicit RunCatalog(const RunStore& store) : store_(store) {}

    // withResults: also the best validation loss and the probe headline (reads the run's metrics and
    // probe rows); without, the record and its parsed config only.
    std::vector<RunSummary> runs(const RunFilter& filter = {},
                                 bool withResults = true) const;  // newest first
    RunSummary run(int64_t id, bool withResults = true) const;    // Error for an unknown id

  private:
    RunSummary summarize(const RunRecord& record, bool withResults) const;
    const RunStore& store_;
};

// Deletes the run with its metrics, probe rows and checkpoint files; folders left empty under
// `checkpointRoot` go too, and when it was the last run of its group, the group's folder right under
// `checkpointRoot` (the tokenizer copy) is removed. Nothing else outside the checkpoint files the store
// lists is touched. Error when the run does not exist, a live process trains it or the store is read-only.
DeletedRun deleteRunWithFiles(RunStore& store, int64_t id, const std::string& checkpointRoot);

}  // namespace needlescope
