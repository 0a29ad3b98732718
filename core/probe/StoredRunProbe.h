#pragma once
// Everything needed to probe a stored run at one of its checkpoints: the run's record, the checkpoint's
// model, the run's tokenizer and the validation haystack of its corpus. Used by `probe`, `study` and any
// other place that probes a run after training.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/data/Tokenizer.h"
#include "core/model/Decoder.h"
#include "core/probe/Haystack.h"
#include "core/probe/Probe.h"
#include "core/store/RunStore.h"

namespace needlescope {

class StoredRunProbe {
  public:
    // `step` unset = the latest checkpoint. `dataDir` empty = the corpus the run was trained on, or what
    // `fallbackDataDir()` finds when that folder no longer exists. Throws Error naming the run when
    // something is missing (checkpoint, tokenizer, data) or does not match.
    StoredRunProbe(const RunStore& store, int64_t runId, std::optional<int64_t> step = {},
                   const std::string& dataDir = {}, const std::function<std::string()>& fallbackDataDir = {});
    ~StoredRunProbe();

    const RunRecord& record() const { return record_; }
    const CheckpointRecord& checkpoint() const { return checkpoint_; }
    const std::string& dataDir() const { return dataDir_; }
    DecoderImpl& model() { return *model_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    const Haystack& haystack() const { return *haystack_; }
    const NeedleProbe& probe() const { return *probe_; }

    // Probes the checkpoint and stores the rows; `progress(done, total)` after each placement.
    ProbeResult runAndStore(RunStore& store, const ProbeOptions& options,
                            const std::function<void(int64_t, int64_t)>& progress = {});

  private:
    RunRecord record_;
    CheckpointRecord checkpoint_;
    std::string dataDir_;
    Decoder model_{nullptr};
    std::unique_ptr<Tokenizer> tokenizer_;
    std::unique_ptr<Haystack> haystack_;
    std::unique_ptr<NeedleProbe> probe_;
};

// The checkpoint of `runId` at `step` (or the latest); Error lists the steps that exist.
CheckpointRecord pickCheckpoint(const RunStore& store, int64_t runId, std::optional<int64_t> step);

}  // namespace needlescope
