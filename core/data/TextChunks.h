#pragma once
// Cuts long text into pieces that a BPE tokenizer encodes independently with the same result.
#include <cstddef>
#include <string_view>
#include <vector>

namespace needlescope {

// Splits `text` into consecutive pieces of about `targetBytes` (they concatenate back to `text`).
// Cuts go after the last line end in the target window, else before its last space (no token of our
// tokenizer spans a line end or has a space inside it). A window with neither is extended to the next
// space or line end within `maxBytes`; only a longer run is cut at a UTF-8 character boundary.
std::vector<std::string_view> splitForEncoding(std::string_view text, size_t targetBytes,
                                               size_t maxBytes = size_t{1} << 20);

}  // namespace needlescope
