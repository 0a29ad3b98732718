#include "core/model/ModelConfig.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/model/ModelConfigJson.h"
#include "core/util/Error.h"
#include "core/util/JsonFields.h"

namespace needlescope {

std::string kindName(ModelKind kind) {
    switch (kind) {
        case ModelKind::Diff:
            return "diff";
        case ModelKind::Diff2:
            return "diff2";
        default:
            return "standard";
    }
}

ModelKind modelKindFromString(const std::string& text) {
    if (text == "standard") return ModelKind::Standard;
    if (text == "diff") return ModelKind::Diff;
    if (text == "diff2") return ModelKind::Diff2;
    throw Error("unknown model kind '" + text + "'; expected 'standard', 'diff' or 'diff2'");
}

int64_t ModelConfig::ffnHidden() const {
    const int64_t raw = (8 * dModel + 2) / 3;  // ceil(8/3 · d_model)
    return (raw + 15) / 16 * 16;
}

std::optional<std::string> ModelConfig::validationError() const {
    auto positive = [](const char* name, int64_t v) -> std::optional<std::string> {
        if (v <= 0) return std::string(name) + " must be positive, got " + std::to_string(v);
        return std::nullopt;
    };
    for (auto err : {positive("vocab_size", vocabSize), positive("d_model", dModel),
                     positive("layers", nLayers), positive("heads", nHeads)})
        if (err) return err;
    if (maxContext <= 0) return "context length must be positive, got " + std::to_string(maxContext);
    if (dModel % nHeads != 0)
        return "heads (" + std::to_string(nHeads) + ") must divide d_model (" + std::to_string(dModel) + ")";
    if (kind == ModelKind::Diff && nHeads % 2 != 0)
        return "a DIFF model needs an even head count (it pairs heads), got " + std::to_string(nHeads);
    if (kvHeads < 0) return "kv_heads must be 0 (= heads) or positive, got " + std::to_string(kvHeads);
    if (kvHeads > 0 && nHeads % kvHeads != 0)
        return "kv_heads (" + std::to_string(kvHeads) + ") must divide heads (" + std::to_string(nHeads) +
               ")";
    if (headDim() % 2 != 0)
        return "head width d_model/heads = " + std::to_string(headDim()) +
               " must be even for rotary embeddings";
    if (!(ropeBase > 1.0)) return "rope_base must be greater than 1";
    return std::nullopt;
}

void ModelConfig::validate() const {
    if (auto err = validationError()) throw Error("invalid model config: " + *err);
}

double lambdaInit(int64_t layerIndex) { return 0.8 - 0.6 * std::exp(-0.3 * static_cast<double>(layerIndex)); }

void to_json(nlohmann::json& j, const ModelConfig& c) {
    j = nlohmann::json{{"kind", kindName(c.kind)}, {"vocab_size", c.vocabSize}, {"d_model", c.dModel},
                       {"layers", c.nLayers},      {"heads", c.nHeads},         {"max_context", c.maxContext},
                       {"seed", c.seed},           {"rope_base", c.ropeBase}};
    if (c.kvHeads != 0)
        j["kv_heads"] = c.kvHeads;  // written only when set: older configs stay byte-identical
}

void from_json(const nlohmann::json& j, ModelConfig& c) { readModelConfig(j, "", c); }

void readModelConfig(const nlohmann::json& j, const std::string& path, ModelConfig& c) {
    const JsonFields fields(
        j, path,
        {"kind", "vocab_size", "d_model", "layers", "heads", "kv_heads", "max_context", "seed", "rope_base"});
    if (fields.has("kind")) {
        std::string kind;
        fields.string("kind", kind);
        c.kind = modelKindFromString(kind);
    }
    fields.integer("vocab_size", c.vocabSize);
    fields.integer("d_model", c.dModel);
    fields.integer("layers", c.nLayers);
    fields.integer("heads", c.nHeads);
    fields.integer("kv_heads", c.kvHeads);
    fields.integer("max_context", c.maxContext);
    fields.integer("seed", c.seed);
    fields.number("rope_base", c.ropeBase);
}

}  // namespace needlescope
