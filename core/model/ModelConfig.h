#pragma once
// Shape and identity of one decoder: everything needed to rebuild it from a checkpoint.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace needlescope {

enum class ModelKind { Standard, Diff, Diff2 };  // Diff2: Differential Attention V2

std::string kindName(ModelKind kind);
ModelKind modelKindFromString(
    const std::string& text);  // "standard" | "diff" | "diff2"; throws Error otherwise

struct ModelConfig {
    ModelKind kind = ModelKind::Standard;
    int64_t vocabSize = 8192;
    int64_t dModel = 256;
    int64_t nLayers = 4;
    int64_t nHeads = 8;   // baseline head count h; DIFF uses h/2 heads of value width 2d; V2 2h query heads
    int64_t kvHeads = 0;  // DIFF V2 key/value heads h_kv (grouped-query attention); 0 = h; must divide h
    int64_t maxContext = 256;
    uint64_t seed = 1234;
    double ropeBase = 10000.0;

    int64_t headDim() const { return dModel / nHeads; }  // d: width of a (sub-)head's Q and K
    // Heads whose maps the capture records: standard h, DIFF h/2, V2 h (each the pair of query heads 2i,
    // 2i+1).
    int64_t attentionHeads() const { return kind == ModelKind::Diff ? nHeads / 2 : nHeads; }
    int64_t kvHeadCount() const { return kvHeads > 0 ? kvHeads : nHeads; }  // V2's h_kv
    int64_t ffnHidden() const;  // 8/3·d_model rounded up to a multiple of 16

    // Empty when valid, else a message naming the bad field and the rule it breaks.
    std::optional<std::string> validationError() const;
    void validate() const;  // throws Error(validationError())
};

// λ_init = 0.8 − 0.6·exp(−0.3·l) with l the 0-based layer index.
double lambdaInit(int64_t layerIndex);

void to_json(nlohmann::json& j, const ModelConfig& c);
void from_json(const nlohmann::json& j,
               ModelConfig& c);  // missing keys keep defaults; throws Error on bad types

}  // namespace needlescope
