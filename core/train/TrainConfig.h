#pragma once
// Everything a (paired) training experiment needs, loadable from a preset JSON (resources/presets/).
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/model/ModelConfig.h"
#include "core/train/NeedleObjective.h"

namespace needlescope {

struct OptimizerConfig {
    double lr = 3e-4;
    double minLrRatio = 0.1;  // the schedule decays to lr·ratio
    int64_t warmupSteps = 100;
    // After warm-up: "cosine" decays over every remaining step; "wsd" (warm-up, stable, decay) holds lr
    // and decays linearly over the last `decayFraction` of the post-warm-up steps.
    std::string schedule = "cosine";
    double decayFraction = 0.2;
    double beta1 = 0.9, beta2 = 0.95;
    double weightDecay = 0.1;
    double clipNorm = 1.0;
};

struct TrainConfig {
    std::string name = "experiment";
    ModelConfig model;  // shared shape; `kind` is set per run
    std::vector<ModelKind> kinds = {ModelKind::Standard, ModelKind::Diff};
    OptimizerConfig optimizer;
    int64_t batchSize = 8;
    int64_t steps = 0;  // total steps; when 0, `epochs` decides
    double epochs = 0.0;
    int64_t evalEvery = 100;  // validation every N steps (and at the end)
    int64_t evalBatches = 8;  // fixed validation batches
    int64_t probeEvery = 0;   // needle probe every M steps (0 = off)
    int64_t probeSamples = 2;
    int64_t checkpointEvery = 500;    // and at the end
    int64_t logEvery = 1;             // train-metric cadence in the store (1: every step; the last always)
    double curriculumFraction = 0.0;  // share of training sequences built as needle tasks
    NeedleLoss needleLoss;            // how a needle task's tokens count in the loss
    std::vector<NeedleSet> needleSets = {{1, 1}, {2, 1}};  // (N needles, R queried) shapes of needle tasks
    int64_t contextStart = 0;      // context schedule: first context (0 = always max_context) …
    int64_t contextRampSteps = 0;  // … growing linearly to max_context over this many steps
    int tokenizerVocab = 8192;     // sentencepiece vocab; model.vocabSize follows it
    int threads = 0;               // 0 = all cores
    std::string device = "cpu";
    std::string precision = "fp32";  // fp32, or bf16 autocast on CUDA

    std::optional<std::string> validationError() const;
    void validate() const;  // throws Error
    // Resolved step budget once the number of batches per epoch is known.
    int64_t totalSteps(int64_t batchesPerEpoch) const;
    // Training context at 0-based step `stepIndex` under the context schedule (a multiple of 8 from
    // context_start up to max_context; max_context when the schedule is off).
    int64_t contextAt(int64_t stepIndex) const;
};

void to_json(nlohmann::json& j, const TrainConfig& c);
void from_json(const nlohmann::json& j, TrainConfig& c);

// The learning-rate schedules OptimizerConfig::schedule may name: "cosine" and "wsd".
const std::vector<std::string>& lrScheduleNames();
std::string lrScheduleChoices();  // "cosine or wsd", for messages
bool isLrSchedule(const std::string& name);

// Presets shipped in resources/presets/*.json: tiny, quick, small, seed, retrieval, needle.
std::vector<std::string> presetNames();
TrainConfig loadPreset(const std::string& nameOrPath);  // a preset name or a JSON file path; throws Error

}  // namespace needlescope
