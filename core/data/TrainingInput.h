#pragma once
// Prepares the tokenizer trainer's input file from a split's text.
#include <cstddef>
#include <string>
#include <string_view>

namespace needlescope {

constexpr size_t kMaxTrainingLineBytes = 16384;  // well under the trainer's 65,536-byte line limit

// Writes `text` to `path` with every line longer than kMaxTrainingLineBytes broken into shorter lines
// (before a space where possible), so the trainer learns from all of it instead of skipping such lines.
void writeTrainingInput(std::string_view text, const std::string& path);

}  // namespace needlescope
