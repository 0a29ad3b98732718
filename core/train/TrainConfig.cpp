#include "core/train/TrainConfig.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/model/ModelConfigJson.h"
#include "core/train/Presets.h"
#include "core/util/Error.h"
#include "core/util/JsonFields.h"

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
    if (!isLrSchedule(optimizer.schedule))
        return "schedule must be " + lrScheduleChoices() + ", got '" + optimizer.schedule + "'";
    if (!(optimizer.decayFraction > 0 && optimizer.decayFraction <= 1))
        return "decay_fraction must be within (0, 1]";
    if (evalEvery <= 0 || checkpointEvery <= 0 || logEvery <= 0)
        return "eval/checkpoint/log intervals must be positive";
    if (evalBatches <= 0) return "eval batches must be positive";
    if (probeEvery < 0 || probeSamples <= 0) return "probe interval must be >= 0 and probe samples positive";
    if (curriculumFraction < 0 || curriculumFraction > 1) return "curriculum fraction must be within [0, 1]";
    if (needleSets.empty()) return "needle_sets must list at least one [N, R] pair";
    for (const NeedleSet& s : needleSets)
        if (s.needles < 1 || s.queries < 1 || s.queries > s.needles)
            return "each needle set [N, R] needs 1 <= R <= N, got [" + std::to_string(s.needles) + ", " +
                   std::to_string(s.queries) + "]";
    if (needleLoss.mode == NeedleLoss::Mode::Weighted &&
        !(needleLoss.weight > 0 && std::isfinite(needleLoss.weight)))
        return "the answer-token weight of needle_loss must be positive";
    if (contextStart < 0 || contextStart > model.maxContext)
        return "context_start must be 0 (off) or between 1 and max_context (" +
               std::to_string(model.maxContext) + ")";
    if (contextRampSteps < 0) return "context_ramp_steps must not be negative";
    if (threads < 0) return "threads must be 0 (all cores) or positive";
    if (precision != "fp32" && precision != "bf16")
        return "precision must be fp32 or bf16, got '" + precision + "'";
    return std::nullopt;
}

const std::vector<std::string>& lrScheduleNames() {
    static const std::vector<std::string> names{"cosine", "wsd"};
    return names;
}

std::string lrScheduleChoices() {
    std::string text;
    const auto& names = lrScheduleNames();
    for (size_t i = 0; i < names.size(); ++i)
        text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return text;
}

bool isLrSchedule(const std::string& name) {
    const auto& names = lrScheduleNames();
    return std::find(names.begin(), names.end(), name) != names.end();
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
    const double grown =
        double(contextStart) + double(full - contextStart) * double(stepIndex) / double(contextRampSteps);
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
         {{"lr", c.optimizer.lr},
          {"min_lr_ratio", c.optimizer.minLrRatio},
          {"warmup_steps", c.optimizer.warmupSteps},
          {"schedule", c.optimizer.schedule},
          {"decay_fraction", c.optimizer.decayFraction},
          {"beta1", c.optimizer.beta1},
          {"beta2", c.optimizer.beta2},
          {"weight_decay", c.optimizer.weightDecay},
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
        {"precision", c.precision},
    };
}

namespace {

void readOptimizer(const nlohmann::json& j, OptimizerConfig& o) {
    const JsonFields fields(j, "optimizer.",
                            {"lr", "min_lr_ratio", "warmup_steps", "schedule", "decay_fraction", "beta1",
                             "beta2", "weight_decay", "clip_norm"});
    fields.number("lr", o.lr);
    fields.number("min_lr_ratio", o.minLrRatio);
    fields.integer("warmup_steps", o.warmupSteps);
    fields.string("schedule", o.schedule);  // absent in configs stored before it existed: cosine
    fields.number("decay_fraction", o.decayFraction);
    fields.number("beta1", o.beta1);
    fields.number("beta2", o.beta2);
    fields.number("weight_decay", o.weightDecay);
    fields.number("clip_norm", o.clipNorm);
}

std::vector<ModelKind> readKinds(const nlohmann::json& j) {
    if (!j.is_array()) throw Error("models must be a list such as [\"standard\", \"diff\"], got " + j.dump());
    std::vector<ModelKind> kinds;
    for (const auto& k : j) {
        if (!k.is_string())
            throw Error("models must list kind names (\"standard\", \"diff\"), got " + k.dump());
        kinds.push_back(modelKindFromString(k.get<std::string>()));
    }
    return kinds;
}

std::vector<NeedleSet> readNeedleSets(const nlohmann::json& j) {
    if (!j.is_array()) throw Error("needle_sets must be a list of [N, R] pairs, got " + j.dump());
    std::vector<NeedleSet> sets;
    for (const auto& s : j) {
        if (!s.is_array() || s.size() != 2)
            throw Error("needle_sets entries must be [N, R] pairs, got " + s.dump());
        const int max = std::numeric_limits<int>::max();
        sets.push_back({int(jsonInteger(s.at(0), "needle_sets N", 0, max)),
                        int(jsonInteger(s.at(1), "needle_sets R", 0, max))});
    }
    return sets;
}

}  // namespace

void from_json(const nlohmann::json& j, TrainConfig& c) {
    const JsonFields fields(j, "",
                            {"name",
                             "model",
                             "models",
                             "optimizer",
                             "batch_size",
                             "steps",
                             "epochs",
                             "eval_every",
                             "eval_batches",
                             "probe_every",
                             "probe_samples",
                             "checkpoint_every",
                             "log_every",
                             "curriculum_fraction",
                             "needle_loss",
                             "needle_sets",
                             "context_start",
                             "context_ramp_steps",
                             "tokenizer_vocab",
                             "threads",
                             "device",
                             "precision"});
    fields.string("name", c.name);
    if (fields.has("model")) readModelConfig(fields.at("model"), "model.", c.model);
    if (fields.has("models")) c.kinds = readKinds(fields.at("models"));
    if (fields.has("optimizer")) readOptimizer(fields.at("optimizer"), c.optimizer);
    fields.integer("batch_size", c.batchSize);
    fields.integer("steps", c.steps);
    fields.number("epochs", c.epochs);
    fields.integer("eval_every", c.evalEvery);
    fields.integer("eval_batches", c.evalBatches);
    fields.integer("probe_every", c.probeEvery);
    fields.integer("probe_samples", c.probeSamples);
    fields.integer("checkpoint_every", c.checkpointEvery);
    fields.integer("log_every", c.logEvery);
    fields.number("curriculum_fraction", c.curriculumFraction);
    if (fields.has("needle_loss")) {
        const auto& loss = fields.at("needle_loss");
        if (!loss.is_number() && !loss.is_string())
            throw Error("needle_loss must be 'answer', 'all' or a positive weight, got " + loss.dump());
        c.needleLoss = NeedleLoss::fromString(loss.is_number() ? loss.dump() : loss.get<std::string>());
    }
    if (fields.has("needle_sets")) c.needleSets = readNeedleSets(fields.at("needle_sets"));
    fields.integer("context_start", c.contextStart);
    fields.integer("context_ramp_steps", c.contextRampSteps);
    fields.integer("tokenizer_vocab", c.tokenizerVocab);
    fields.integer("threads", c.threads);
    fields.string("device", c.device);
    fields.string("precision", c.precision);
    c.model.vocabSize = c.tokenizerVocab;
}

std::vector<std::string> presetNames() {
    std::vector<std::string> names;
    for (const auto& preset : builtinPresets()) names.push_back(preset.name);
    return names;
}

TrainConfig loadPreset(const std::string& nameOrPath) {
    std::string text;
    bool builtin = false;
    for (const auto& preset : builtinPresets())
        if (preset.name == nameOrPath) text = preset.json, builtin = true;
    if (text.empty()) {
        std::ifstream in(nameOrPath);
        if (!in) {
            std::string known;
            for (const auto& n : presetNames()) known += (known.empty() ? "" : ", ") + n;
            throw Error("'" + nameOrPath + "' is neither a preset (" + known +
                        ") nor a readable config file");
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
    // Every message names the file (or preset) and the key.
    try {
        TrainConfig config = j.get<TrainConfig>();
        config.validate();
        return config;
    } catch (const Error& e) {
        throw Error((builtin ? "preset '" : "config '") + nameOrPath + "': " + e.what());
    }
}

}  // namespace needlescope
