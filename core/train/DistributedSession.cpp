#include "core/train/DistributedSession.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/data/FileIO.h"
#include "core/train/DistributedContext.h"
#include "core/util/Error.h"

namespace needlescope {
namespace fs = std::filesystem;

PlanAnnouncement::~PlanAnnouncement() {
    if (sent_ || !context_) return;
    try {  // rank 0 is leaving before training (an error): the others are waiting for the plan
        send(nlohmann::json{{"abort", "failed"}}.dump());
    } catch (...) {  // they then notice that rank 0 has gone
    }
}

void PlanAnnouncement::send(const std::string& message) {
    sent_ = true;
    context_->broadcastBytes(message);
}

void PlanAnnouncement::cancel() {
    if (!sent_ && context_) send(nlohmann::json{{"abort", "cancelled"}}.dump());
}

void PlanAnnouncement::publish(const SessionPlan& plan) {
    if (!context_ || sent_) return;
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& [id, model] : plan.runs) runs.push_back({{"id", id}, {"model", model}});
    send(nlohmann::json{{"train", plan.config},
                        {"runs", runs},
                        {"start_step", plan.startStep},
                        {"data_position", plan.dataPosition},
                        {"prior_seconds", plan.priorSeconds},
                        {"cache_key", plan.cacheKey},
                        {"data_root", plan.dataRoot},
                        {"checkpoints", plan.checkpointFiles.size()}}
             .dump());
    for (const auto& path : plan.checkpointFiles) context_->broadcastBytes(readFileBytes(path));
}

bool receivePlan(DistributedContext& context, const std::string& checkpointFolder, SessionPlan& plan) {
    const auto message = nlohmann::json::parse(context.broadcastBytes({}));
    if (message.contains("abort")) {
        if (message.at("abort") == "cancelled") return false;
        throw Error("rank 0 failed before training began (its own output says why)");
    }
    plan.config = message.at("train").get<TrainConfig>();
    for (const auto& run : message.at("runs"))
        plan.runs.emplace_back(run.at("id").get<int64_t>(), run.at("model").get<ModelConfig>());
    plan.startStep = message.at("start_step").get<int64_t>();
    plan.dataPosition = message.at("data_position").get<int64_t>();
    plan.priorSeconds = message.at("prior_seconds").get<double>();
    plan.cacheKey = message.at("cache_key").get<std::string>();
    plan.dataRoot = message.at("data_root").get<std::string>();
    const size_t files = message.at("checkpoints").get<size_t>();
    for (size_t i = 0; i < files; ++i) {
        const std::string bytes = context.broadcastBytes({});
        const fs::path path = fs::path(checkpointFolder) /
                              ("rank" + std::to_string(context.rank()) + "-run" + std::to_string(i) + ".pt");
        writeFileAtomically(path.string(), bytes);
        plan.checkpointFiles.push_back(path.string());
    }
    return true;
}

}  // namespace needlescope
