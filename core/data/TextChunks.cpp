#include "core/data/TextChunks.h"

#include <algorithm>

#include "core/data/Utf8Text.h"

namespace needlescope {
namespace {

// Where the next piece of `text` ends (text is longer than targetBytes).
size_t nextCut(std::string_view text, size_t targetBytes, size_t maxBytes) {
    const std::string_view window = text.substr(0, targetBytes);
    if (const size_t newline = window.rfind('\n'); newline != std::string_view::npos) return newline + 1;
    if (const size_t space = window.rfind(' '); space != std::string_view::npos && space > 0) return space;
    const size_t ahead = text.substr(0, maxBytes).find_first_of(" \n", targetBytes);
    if (ahead != std::string_view::npos) return text[ahead] == '\n' ? ahead + 1 : ahead;
    const size_t boundary = utf8BoundaryAtOrBefore(text, maxBytes);
    return boundary > 0 ? boundary : maxBytes;  // not UTF-8 at all: any cut is as good as another
}

}  // namespace

std::vector<std::string_view> splitForEncoding(std::string_view text, size_t targetBytes, size_t maxBytes) {
    targetBytes = std::max<size_t>(targetBytes, 1);
    maxBytes = std::max(maxBytes, targetBytes);
    std::vector<std::string_view> pieces;
    while (text.size() > targetBytes) {
        const size_t cut = nextCut(text, targetBytes, maxBytes);
        pieces.push_back(text.substr(0, cut));
        text.remove_prefix(cut);
    }
    if (!text.empty()) pieces.push_back(text);
    return pieces;
}

}  // namespace needlescope
