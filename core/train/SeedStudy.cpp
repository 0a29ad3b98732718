#include "core/train/SeedStudy.h"

#include <algorithm>

#include "core/store/RunStore.h"
#include "core/train/DistributedContext.h"
#include "core/util/Error.h"

namespace needlescope {

std::string studyTag(const std::string& studyName) { return "study:" + studyName; }

SeedStudyResult trainSeeds(const TrainConfig& config, int seeds, const std::string& studyName,
                           const ExperimentPaths& paths, TrainingSink* sink, TrainingControl* control,
                           const ExperimentHooks& hooks, const SeedPlacement& placement) {
    if (seeds < 1) throw Error("a study needs at least one seed, got " + std::to_string(seeds));
    if (studyName.empty()) throw Error("a study needs a name");
    if (placement.shareCount < 1 || placement.shareIndex < 0 || placement.shareIndex >= placement.shareCount)
        throw Error("seed share " + std::to_string(placement.shareIndex) + " of " +
                    std::to_string(placement.shareCount) + " does not exist");
    // Only one process writes a data-parallel study's tags: rank 0, which owns the runs.
    const auto* context = placement.dataParallel.context;
    const bool writesStore = !context || context->isLeader();
    SeedStudyResult result;
    result.name = studyName;
    for (int i = 0; i < seeds; ++i) {
        if (i % placement.shareCount != placement.shareIndex) continue;  // another process trains it
        TrainConfig seeded = config;
        seeded.model.seed = config.model.seed + uint64_t(i);
        seeded.name = studyName + "-s" + std::to_string(seeded.model.seed);
        if (sink)
            sink->onLog("study " + studyName + ": seed " + std::to_string(i + 1) + " of " +
                        std::to_string(seeds) + " (" + std::to_string(seeded.model.seed) + ")");
        Experiment experiment(seeded, paths, sink, control, hooks);
        experiment.setDataParallel(placement.dataParallel);
        RunStatus status = RunStatus::Failed;
        try {
            status = experiment.run();
        } catch (...) {
            if (writesStore && !experiment.runIds().empty()) {  // keep failed runs findable with the study
                RunStore store = RunStore::open(paths.dbPath);
                for (int64_t id : experiment.runIds()) store.setTags(id, {studyTag(studyName)});
            }
            throw;
        }
        if (writesStore) {
            RunStore store = RunStore::open(paths.dbPath);
            for (int64_t id : experiment.runIds()) {
                std::vector<std::string> tags = store.run(id).tags;
                if (std::find(tags.begin(), tags.end(), studyTag(studyName)) == tags.end())
                    tags.push_back(studyTag(studyName));
                store.setTags(id, tags);
                result.runIds.push_back(id);
            }
        }
        result.seeds.push_back(seeded.model.seed);
        result.groups.push_back(experiment.group());
        if (status != RunStatus::Finished) {
            result.status = status;
            break;
        }
    }
    return result;
}

}  // namespace needlescope
