#pragma once
// Turns file bytes into clean UTF-8 text: validates, replaces malformed sequences, rejects binary data.
#include <cstddef>
#include <string>
#include <string_view>

namespace needlescope {

struct TextCleanReport {
    size_t inputBytes = 0;
    size_t replacedSequences = 0;  // malformed UTF-8 sequences, each replaced by one U+FFFD
    size_t firstReplacedLine = 0;  // 1-based line of the first replacement; 0 when there was none
    size_t controlBytes = 0;       // C0 control bytes other than tab, LF, CR, FF, VT (kept as they are)
};

// Returns `bytes` as valid UTF-8:
//  - each maximal malformed subsequence becomes U+FFFD (the Unicode "maximal subpart" practice);
//  - a leading UTF-8 byte-order mark is dropped and CRLF line ends become LF.
// Throws Error naming `fileName` when the bytes are not text: empty or whitespace only, any NUL byte
// (binary or UTF-16 data), or more than 10 % malformed/control bytes.
std::string cleanUtf8Text(std::string_view bytes, const std::string& fileName,
                          TextCleanReport* report = nullptr);

// Length of the longest prefix of `text` (at most `limit` bytes) that ends on a UTF-8 character boundary.
size_t utf8BoundaryAtOrBefore(std::string_view text, size_t limit);

}  // namespace needlescope
