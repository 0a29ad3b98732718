#include "core/train/TrainConfig.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/train/Presets.h"
#include "core/util/Error.h"

namespace needlescope {

std::optional<std::string> TrainConfig::validationError() const {
    if (kinds.empty()) return "choose at least one model kind";
    for (ModelKind kind : kinds) {
        ModelConfig m = model;
        m.kind = kind;
        m.vocabSize = tokenizerVocab;
        if (auto err = m.validationError()) return err;
    }
    if (tokenizerVocab < 260) return "tokenizer vocab must be at least 260 (256 byte pieces + specials)";
    if (batchSize <= 0) return "batch size must be positive, got " + std::to_string(batchSize);
    if (steps < 0) return "steps must not be negative";
    if (steps == 0 && !(epochs > 0)) return "give a positive step count or epoch count";
    if (!(optimizer.lr > 0) || !std::isfinite(optimizer.lr)) return "learning rate must be positive";
    if (optimizer.warmupSteps < 0) return "warm-up steps must not be negative";
    if (optimizer.minLrRatio < 0 || optimizer.minLrRatio > 1) return "min_lr_ratio must be within [0, 1]";
    if (evalEvery <= 0 || checkpointEvery <= 0 || logEvery <= 0) return "eval/checkpoint/log intervals must be positive";
    if (evalBatches <= 0) return "eval batches must be positive";
    if (probeEvery < 0 || probeSamples <= 0) return "probe interval must be >= 0 and probe samples positive";
    if (curriculumFraction < 0 || curriculumFraction > 1) return "curriculum fraction must be within [0, 1]";
    if (needleSets.empty()) return "needle_sets must list at least one [N, R] pair";
    for (const NeedleSet& s : needleSets)
        if (s.needles < 1 || s.queries < 1 || s.queries > s.needles)
            return "each needle set [N, R] needs 1 <= R <= N, got [" + std::to_string(s.needles) + ", " +
                   std::to_string(s.queries) + "]";
    if (needleLoss.mode == NeedleLoss::Mode::Weighted && !(needleLoss.weight > 0 && std::isfinite(needleLoss.weight)))
        return "the answer-token weight of needle_loss must be positive";
    if (contextStart < 0 || contextStart > model.maxContext)
        return "context_start must be 0 (off) or between 1 and max_context (" + std::to_string(model.maxContext) + ")";
    if (contextRampSteps < 0) return "context_ramp_steps must not be negative";
    if (threads < 0) return "threads must be 0 (all cores) or positive";
    return std::nullopt;
}

void TrainConfig::validate() const {
    if (auto err = validationError()) throw Error("invalid training config: " + *err);
}

int64_t TrainConfig::totalSteps(int64_t batchesPerEpoch) const {
    if (steps > 0) return steps;
    return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(epochs * double(batchesPerEpoch))));
}

int64_t TrainConfig::contextAt(int64_t stepIndex) const {
    const int64_t full = model.maxContext;
    if (contextStart <= 0 || contextStart >= full) return full;
    if (contextRampSteps <= 0 || stepIndex >= contextRampSteps) return full;
    const double grown = double(contextStart) + double(full - contextStart) * double(stepIndex) / double(contextRampSteps);
    const int64_t rounded = int64_t(grown) / 8 * 8;  // multiples of 8 keep the kernels' shapes few
    return std::min(full, std::max(contextStart, rounded));
}

void to_json(nlohmann::json& j, const TrainConfig& c) {
    nlohmann::json kinds = nlohmann::json::array();
    for (ModelKind k : c.kinds) kinds.push_back(kindName(k));
    nlohmann::json model = c.model;
    model.erase("kind");
    model.erase("vocab_size");
    nlohmann::json sets = nlohmann::json::array();
    for (const NeedleSet& s : c.needleSets) sets.push_back({s.needles, s.queries});
    j = nlohmann::json{
        {"name", c.name},
        {"model", model},
        {"models", kinds},
        {"optimizer",
         {{"lr", c.optimizer.lr}, {"min_lr_ratio", c.optimizer.minLrRatio}, {"warmup_steps", c.optimizer.warmupSteps},
          {"beta1", c.optimizer.beta1}, {"beta2", c.optimizer.beta2}, {"weight_decay", c.optimizer.weightDecay},
          {"clip_norm", c.optimizer.clipNorm}}},
        {"batch_size", c.batchSize},
        {"steps", c.steps},
        {"epochs", c.epochs},
        {"eval_every", c.evalEvery},
        {"eval_batches", c.evalBatches},
        {"probe_every", c.probeEvery},
        {"probe_samples", c.probeSamples},
        {"checkpoint_every", c.checkpointEvery},
        {"log_every", c.logEvery},
        {"curriculum_fraction", c.curriculumFraction},
        {"needle_loss", c.needleLoss.toString()},
        {"needle_sets", sets},
        {"context_start", c.contextStart},
        {"context_ramp_steps", c.contextRampSteps},
        {"tokenizer_vocab", c.tokenizerVocab},
        {"threads", c.threads},
        {"device", c.device},
    };
}

void from_json(const nlohmann::json& j, TrainConfig& c) {
    try {
        c.name = j.value("name", c.name);
        if (j.contains("model")) from_json(j.at("model"), c.model);
        if (j.contains("models")) {
            c.kinds.clear();
            for (const auto& k : j.at("models")) c.kinds.push_back(modelKindFromString(k.get<std::string>()));
        }
        if (j.contains("optimizer")) {
            const auto& o = j.at("optimizer");
            c.optimizer.lr = o.value("lr", c.optimizer.lr);
            c.optimizer.minLrRatio = o.value("min_lr_ratio", c.optimizer.minLrRatio);
            c.optimizer.warmupSteps = o.value("warmup_steps", c.optimizer.warmupSteps);
            c.optimizer.beta1 = o.value("beta1", c.optimizer.beta1);
            c.optimizer.beta2 = o.value("beta2", c.optimizer.beta2);
            c.optimizer.weightDecay = o.value("weight_decay", c.optimizer.weightDecay);
            c.optimizer.clipNorm = o.value("clip_norm", c.optimizer.clipNorm);
        }
        c.batchSize = j.value("batch_size", c.batchSize);
        c.steps = j.value("steps", c.steps);
        c.epochs = j.value("epochs", c.epochs);
        c.evalEvery = j.value("eval_every", c.evalEvery);
        c.evalBatches = j.value("eval_batches", c.evalBatches);
        c.probeEvery = j.value("probe_every", c.probeEvery);
        c.probeSamples = j.value("probe_samples", c.probeSamples);
        c.checkpointEvery = j.value("checkpoint_every", c.checkpointEvery);
        c.logEvery = j.value("log_every", c.logEvery);
        c.curriculumFraction = j.value("curriculum_fraction", c.curriculumFraction);
        if (j.contains("needle_loss")) {
            const auto& loss = j.at("needle_loss");
            c.needleLoss = NeedleLoss::fromString(loss.is_number() ? loss.dump() : loss.get<std::string>());
        }
        if (j.contains("needle_sets")) {
            c.needleSets.clear();
            for (const auto& s : j.at("needle_sets")) {
                if (!s.is_array() || s.size() != 2) throw Error("needle_sets entries must be [N, R] pairs, got " + s.dump());
                c.needleSets.push_back({s.at(0).get<int>(), s.at(1).get<int>()});
            }
        }
        c.contextStart = j.value("context_start", c.contextStart);
        c.contextRampSteps = j.value("context_ramp_steps", c.contextRampSteps);
        c.tokenizerVocab = j.value("tokenizer_vocab", c.tokenizerVocab);
        c.threads = j.value("threads", c.threads);
        c.device = j.value("device", c.device);
        c.model.vocabSize = c.tokenizerVocab;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("invalid training config JSON: ") + e.what());
    }
}

std::vector<std::string> presetNames() {
    std::vector<std::string> names;
    for (const auto& preset : builtinPresets()) names.push_back(preset.name);
    return names;
}

TrainConfig loadPreset(const std::string& nameOrPath) {
    std::string text;
    for (const auto& preset : builtinPresets())
        if (preset.name == nameOrPath) text = preset.json;
    if (text.empty()) {
        std::ifstream in(nameOrPath);
        if (!in) {
            std::string known;
            for (const auto& n : presetNames()) known += (known.empty() ? "" : ", ") + n;
            throw Error("'" + nameOrPath + "' is neither a preset (" + known + ") nor a readable config file");
        }
        std::stringstream buffer;
        buffer << in.rdbuf();
        text = buffer.str();
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error("config '" + nameOrPath + "' is not valid JSON: " + e.what());
    }
    TrainConfig config = j.get<TrainConfig>();
    config.validate();
    return config;
}

}  // namespace needlescope
