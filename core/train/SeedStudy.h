#pragma once
// K paired experiments that differ only in their seed (seed base + i): within a seed both models share
// the data order and every initial weight they have in common; across seeds everything random changes.
// Their runs carry the tag "study:<name>", so the study can be found, analysed and shown later.
#include <cstdint>
#include <string>
#include <vector>

#include "core/train/Experiment.h"

namespace needlescope {

struct SeedStudyResult {
    std::string name;
    std::vector<uint64_t> seeds;      // one per experiment trained (fewer than asked when stopped)
    std::vector<std::string> groups;  // the experiments' groups
    std::vector<int64_t> runIds;
    RunStatus status = RunStatus::Finished;  // the first status other than Finished, if any
};

std::string studyTag(const std::string& studyName);  // "study:<name>"

// How the seeds of a study are spread over processes (issue 11, `train --seeds K --nproc N`).
struct SeedPlacement {
    DataParallel dataParallel;  // every seed trained by all ranks together (batches split)
    int shareIndex = 0;         // or whole runs per process: this process trains seeds i ≡ shareIndex
    int shareCount = 1;         // (mod shareCount), each alone, all writing the same store
};

// Trains `seeds` experiments in turn; stops after one that did not finish (stop, cancel). Throws Error
// for bad input (seeds < 1) and whatever an experiment throws.
SeedStudyResult trainSeeds(const TrainConfig& config, int seeds, const std::string& studyName,
                           const ExperimentPaths& paths, TrainingSink* sink = nullptr,
                           TrainingControl* control = nullptr, const ExperimentHooks& hooks = {},
                           const SeedPlacement& placement = {});

}  // namespace needlescope
