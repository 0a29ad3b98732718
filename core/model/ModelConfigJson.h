#pragma once
// Strict reading of a model config (see from_json in ModelConfig.h) nested in a larger JSON config.
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/model/ModelConfig.h"

namespace needlescope {

// Missing keys keep their defaults; an unknown key, a wrong type or a fractional size throws Error naming
// the key, prefixed with `path` ("model." inside a training config).
void readModelConfig(const nlohmann::json& j, const std::string& path, ModelConfig& c);

}  // namespace needlescope
