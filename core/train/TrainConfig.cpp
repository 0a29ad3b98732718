#include "core/train/TrainConfig.h"

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

void to_json(nlohmann::json& j, const TrainConfig& c) {
    nlohmann::json kinds = nlohmann::json::array();
    for (ModelKind k : c.kinds) kinds.push_back(kindName(k));
    nlohmann::json model = c.model;
    model.erase("kind");
    model.erase("vocab_size");
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
