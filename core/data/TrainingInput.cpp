#include "core/data/TrainingInput.h"

#include "core/data/FileIO.h"
#include "core/data/TextChunks.h"

namespace needlescope {

void writeTrainingInput(std::string_view text, const std::string& path) {
    std::string out;
    out.reserve(text.size() + text.size() / kMaxTrainingLineBytes + 1);
    while (!text.empty()) {
        const size_t end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.size() <= kMaxTrainingLineBytes) {
            out.append(line).push_back('\n');
            continue;
        }
        // Pieces stay under the trainer's 65,536-byte limit even where spaces are far apart.
        for (const std::string_view part :
             splitForEncoding(line, kMaxTrainingLineBytes, 4 * kMaxTrainingLineBytes)) {
            out.append(part).push_back('\n');
        }
    }
    writeFileAtomically(path, out);
}

}  // namespace needlescope
