#include "core/data/Utf8Text.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Bytes of the well-formed UTF-8 sequence starting at `p` (Unicode Table 3-7), or 0 when malformed;
// `consumed` receives the length of the maximal malformed subpart (at least 1) in that case.
size_t validSequenceLength(const unsigned char* p, size_t available, size_t& consumed) {
    const unsigned char lead = p[0];
    size_t length = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        consumed = 1;
        return 0;
    }
    size_t i = 1;
    for (; i < length && i < available; ++i) {
        const unsigned char c = p[i];
        const bool ok = (i == 1) ? (c >= lo && c <= hi) : isContinuation(c);
        if (!ok) break;
    }
    if (i == length) return length;
    consumed = i;
    return 0;
}

bool isDisallowedControl(unsigned char c) {
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v';
}

bool isAllWhitespace(std::string_view text) {
    for (const char c : text) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
    }
    return true;
}

std::string percent(size_t part, size_t whole) {
    const double value = whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f %%", value);
    return buffer;
}

}  // namespace

std::string cleanUtf8Text(std::string_view bytes, const std::string& fileName, TextCleanReport* report) {
    TextCleanReport local;
    TextCleanReport& stats = report != nullptr ? *report : local;
    stats = TextCleanReport{};
    stats.inputBytes = bytes.size();

    if (bytes.empty()) throw Error(fileName + ": the file is empty");
    if (const void* nul = std::memchr(bytes.data(), '\0', bytes.size())) {
        const size_t offset = static_cast<size_t>(static_cast<const char*>(nul) - bytes.data());
        throw Error(fileName + ": looks like a binary file, not UTF-8 text (a NUL byte at offset " +
                    std::to_string(offset) + "; UTF-16 text must be converted to UTF-8 first)");
    }

    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t n = bytes.size();
    size_t i = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) i = 3;  // byte-order mark

    std::string out;
    out.reserve(n);
    size_t line = 1;
    size_t runStart = i;  // start of the pending run of bytes copied unchanged
    auto flush = [&](size_t end) { out.append(bytes.data() + runStart, end - runStart); };
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            if (c == '\n') {
                ++line;
            } else if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
                flush(i);  // CRLF → LF: drop the CR
                runStart = ++i;
                continue;
            } else if (isDisallowedControl(c)) {
                ++stats.controlBytes;
            }
            ++i;
            continue;
        }
        size_t consumed = 0;
        const size_t length = validSequenceLength(p + i, n - i, consumed);
        if (length > 0) {
            i += length;
            continue;
        }
        flush(i);
        out.append(kReplacement);
        if (stats.replacedSequences++ == 0) stats.firstReplacedLine = line;
        i += consumed;
        runStart = i;
    }
    flush(n);

    const size_t bad = stats.replacedSequences + stats.controlBytes;
    if (bad > 8 && bad * 10 > n) {
        throw Error(fileName + ": looks like a binary file or text in another encoding, not UTF-8 (" +
                    percent(bad, n) + " of its bytes are malformed UTF-8 or control characters)");
    }
    if (isAllWhitespace(out)) throw Error(fileName + ": the file holds only whitespace, no text");
    return out;
}

size_t utf8BoundaryAtOrBefore(std::string_view text, size_t limit) {
    if (limit >= text.size()) return text.size();
    size_t cut = limit;
    // Back off over at most three continuation bytes to reach the start of a character.
    for (int steps = 0; cut > 0 && steps < 3 && isContinuation(static_cast<unsigned char>(text[cut]));
         ++steps) {
        --cut;
    }
    return cut;
}

}  // namespace needlescope
