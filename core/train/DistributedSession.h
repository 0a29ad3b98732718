#pragma once
// What rank 0 tells the other ranks before data-parallel training starts (issue 11): the config, the runs'
// models, where training starts, and — on a resume — the bytes of the checkpoints it restored, so the other
// ranks need neither the run store nor the checkpoint folder (they may be on other machines).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/model/ModelConfig.h"
#include "core/train/TrainConfig.h"

namespace needlescope {

class DistributedContext;

struct SessionPlan {
    TrainConfig config;
    std::vector<std::pair<int64_t, ModelConfig>> runs;  // run id and model, in trainer order
    int64_t startStep = 0;
    int64_t dataPosition = 0;
    double priorSeconds = 0;
    std::string cacheKey;                      // the token cache rank 0 trains on
    std::string dataRoot;                      // rank 0's corpus (used when a rank was given no --data)
    std::vector<std::string> checkpointFiles;  // a resume: rank 0's checkpoint per run, in trainer order
};

// Rank 0's side. Until publish() is called, leaving (a return or an exception) tells the other ranks that
// rank 0 stopped before training, so they do not wait for a plan that never comes.
class PlanAnnouncement {
  public:
    explicit PlanAnnouncement(DistributedContext* context) : context_(context) {}
    ~PlanAnnouncement();
    PlanAnnouncement(const PlanAnnouncement&) = delete;
    PlanAnnouncement& operator=(const PlanAnnouncement&) = delete;

    void publish(const SessionPlan& plan);  // the plan, then each checkpoint file's bytes
    void cancel();                          // rank 0 was stopped before training: the others stop too

  private:
    void send(const std::string& message);
    DistributedContext* context_;
    bool sent_ = false;
};

// The other ranks' side: rank 0's plan, with each resumed checkpoint written to `checkpointFolder` (its
// files listed in plan.checkpointFiles). Returns false when rank 0 was stopped before training; throws
// Error with rank 0's reason when it failed.
bool receivePlan(DistributedContext& context, const std::string& checkpointFolder, SessionPlan& plan);

}  // namespace needlescope
