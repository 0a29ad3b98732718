#pragma once
// A paired experiment: standard and DIFF trained interleaved on the very same batches, stored as one
// group of runs, checkpointed, resumable, reporting through a TrainingSink (DESIGN §5).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/Decoder.h"
#include "core/store/StoreTypes.h"
#include "core/train/ExperimentHooks.h"
#include "core/train/TrainConfig.h"
#include "core/train/TrainingControl.h"
#include "core/train/TrainingSink.h"

namespace needlescope {

class DistributedContext;

// Data-parallel training (issue 11): this process is one rank of `context`'s job. Rank 0 creates or claims
// the runs, writes the store and checkpoints, and sends the others the plan (DistributedSession.h).
struct DataParallel {
    DistributedContext* context = nullptr;  // nullptr: one process trains alone
    int threads = -1;                       // this rank's intra-op threads (-1: the config's)
    int localRank = 0;                      // a CUDA config trains on cuda:<localRank>
};

struct ExperimentPaths {
    std::string dataDir;        // a corpus folder or file (see detectCorpus)
    std::string dbPath;         // SQLite run store
    std::string checkpointDir;  // checkpoints go to <checkpointDir>/<group>/<kind>/step-N.pt
    std::string cacheDir;       // tokenizer + token id cache
};

class Experiment {
  public:
    Experiment(TrainConfig config, ExperimentPaths paths, TrainingSink* sink = nullptr,
               TrainingControl* control = nullptr, ExperimentHooks hooks = {});
    ~Experiment();

    void setDataParallel(const DataParallel& dataParallel);

    // Trains a new paired experiment; returns the final status (Finished, Interrupted or Cancelled).
    // Throws Error for bad input (the runs, if created, are marked failed).
    RunStatus run();
    // Continues the group that `runId` belongs to from the newest step at which every run of the group has
    // an intact checkpoint (falling back to older ones and saying so), or from `fromStep` exactly.
    RunStatus resume(int64_t runId, std::optional<int64_t> fromStep = std::nullopt);

    const std::vector<int64_t>& runIds() const;
    const std::string& group() const;

  private:
    struct State;
    struct Session;
    RunStatus train(Session& session);  // the shared tail of run() and resume()
    RunStatus follow();                 // run() and resume() on ranks other than 0: rank 0's plan
    std::unique_ptr<State> state_;
};

}  // namespace needlescope
