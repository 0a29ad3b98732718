#pragma once
// Encodes a whole split with several threads; the result equals Tokenizer::encode of the same text.
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/data/Tokenizer.h"

namespace needlescope {

// threads = 0 uses every core. `progress` (fraction done, 0..1) is called on the calling thread only.
std::vector<int32_t> encodeParallel(const Tokenizer& tokenizer, std::string_view text, int threads,
                                    const std::function<void(double)>& progress = {});

}  // namespace needlescope
