#pragma once
// Built-in experiment presets: resources/presets/*.json, compiled into the library at build time.
#include <string>
#include <vector>

namespace needlescope {

struct BuiltinPreset {
    std::string name;  // file stem, e.g. "quick"
    std::string json;  // file contents
};

const std::vector<BuiltinPreset>& builtinPresets();  // defined in a generated source

}  // namespace needlescope
