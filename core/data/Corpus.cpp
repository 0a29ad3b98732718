#include "core/data/Corpus.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/data/FileIO.h"
#include "core/util/Error.h"

namespace needlescope {
namespace fs = std::filesystem;

namespace {

constexpr std::array<Split, 3> kSplits = {Split::Train, Split::Valid, Split::Test};
constexpr double kPlainFileValidFraction = 0.05;

bool present(const fs::path& file) {
    std::error_code ec;
    return fs::exists(file, ec);  // a directory in place of a file counts: reading it reports the problem
}

std::map<Split, std::string> findWikiText(const fs::path& dir, const std::string& extension) {
    std::map<Split, std::string> files;
    for (const Split split : kSplits) {
        const fs::path file = dir / ("wiki." + std::string(splitName(split)) + "." + extension);
        if (present(file)) files[split] = file.string();
    }
    return files;
}

std::map<Split, std::string> findPlain(const fs::path& dir) {
    std::map<Split, std::string> files;
    const std::map<Split, std::vector<const char*>> names = {
        {Split::Train, {"train.txt"}},
        {Split::Valid, {"valid.txt", "validation.txt", "val.txt"}},
        {Split::Test, {"test.txt"}},
    };
    for (const auto& [split, candidates] : names) {
        for (const char* name : candidates) {
            if (present(dir / name)) {
                files[split] = (dir / name).string();
                break;
            }
        }
    }
    return files;
}

std::optional<CorpusInfo> detectInFolder(const fs::path& dir) {
    const auto raw = findWikiText(dir, "raw");
    const auto tokens = findWikiText(dir, "tokens");
    const auto plain = findPlain(dir);
    const auto make = [&](CorpusLayout layout, const std::map<Split, std::string>& files) {
        return CorpusInfo{layout, dir.string(), files};
    };
    if (raw.count(Split::Train)) return make(CorpusLayout::WikiTextRaw, raw);
    if (tokens.count(Split::Train)) return make(CorpusLayout::WikiTextTokens, tokens);
    if (!raw.empty()) return make(CorpusLayout::WikiTextRaw, raw);
    if (!tokens.empty()) return make(CorpusLayout::WikiTextTokens, tokens);
    if (!plain.empty()) return make(CorpusLayout::PlainDirectory, plain);
    return std::nullopt;
}

std::string sizeText(const std::string& file) {
    std::error_code ec;
    const auto bytes = fs::file_size(file, ec);
    if (ec) return "unreadable";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return buffer;
}

// Splits a single plain file into (train, valid) at a line end near the last 5 %.
std::string_view carvePlainFile(const std::string& text, Split split, const std::string& file) {
    const size_t target =
        text.size() - std::max<size_t>(1, static_cast<size_t>(text.size() * kPlainFileValidFraction));
    size_t cut = text.find('\n', target);
    if (cut == std::string::npos || cut + 1 >= text.size()) {
        cut = target == 0 ? std::string::npos : text.rfind('\n', target - 1);
    }
    cut = (cut == std::string::npos) ? utf8BoundaryAtOrBefore(text, target) : cut + 1;  // one long line
    const std::string_view all(text);
    const std::string_view part = split == Split::Train ? all.substr(0, cut) : all.substr(cut);
    if (part.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos) {
        throw Error(file + ": too little text to hold out a validation part (" + std::to_string(text.size()) +
                    " bytes); give a folder with train.txt and valid.txt instead");
    }
    return part;
}

}  // namespace

const char* splitName(Split split) {
    switch (split) {
        case Split::Train:
            return "train";
        case Split::Valid:
            return "valid";
        case Split::Test:
            return "test";
    }
    return "?";
}

const char* layoutName(CorpusLayout layout) {
    switch (layout) {
        case CorpusLayout::WikiTextRaw:
            return "WikiText (raw)";
        case CorpusLayout::WikiTextTokens:
            return "WikiText (tokens)";
        case CorpusLayout::PlainFile:
            return "plain text file";
        case CorpusLayout::PlainDirectory:
            return "plain text folder";
    }
    return "?";
}

bool CorpusInfo::has(Split split) const { return files.count(split) != 0; }

std::string CorpusInfo::describe() const {
    std::string text = std::string(layoutName(layout)) + " at " + root;
    if (layout == CorpusLayout::PlainFile) {
        return text + " (" + sizeText(root) + "; train = the first 95 %, valid = the last 5 % of its lines)";
    }
    std::string missing;
    text += ":";
    for (const Split split : kSplits) {
        const auto found = files.find(split);
        if (found == files.end()) {
            missing += (missing.empty() ? "" : ", ") + std::string(splitName(split));
            continue;
        }
        text += std::string(" ") + splitName(split) + " " + fs::path(found->second).filename().string() +
                " (" + sizeText(found->second) + ")";
    }
    if (!missing.empty()) text += "; missing: " + missing;
    return text;
}

CorpusInfo detectCorpus(const std::string& path) {
    if (path.empty()) throw Error("No data folder was given");
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) throw Error(path + ": no such file or folder");
    if (fs::is_regular_file(status)) {
        return CorpusInfo{CorpusLayout::PlainFile, path, {{Split::Train, path}, {Split::Valid, path}}};
    }
    if (!fs::is_directory(status)) throw Error(path + ": is neither a folder nor a text file");

    if (auto here = detectInFolder(path)) return *here;
    std::vector<fs::path> children;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_directory(ec)) children.push_back(entry.path());
    }
    if (ec) throw Error(path + ": the folder cannot be listed (" + ec.message() + ")");
    std::sort(children.begin(), children.end());
    std::optional<CorpusInfo> best;
    for (const auto& child : children) {
        auto found = detectInFolder(child);
        if (found && (!best || (!best->has(Split::Train) && found->has(Split::Train))))
            best = std::move(found);
    }
    if (best) return *best;
    throw Error(path +
                ": no corpus found here (expected wiki.train.raw, wiki.valid.raw, wiki.test.raw; "
                "or wiki.*.tokens; or train.txt and valid.txt)");
}

std::string expectedSplitFile(const CorpusInfo& corpus, Split split) {
    const auto found = corpus.files.find(split);
    if (found != corpus.files.end()) return found->second;
    const fs::path root(corpus.root);
    switch (corpus.layout) {
        case CorpusLayout::WikiTextRaw:
            return (root / ("wiki." + std::string(splitName(split)) + ".raw")).string();
        case CorpusLayout::WikiTextTokens:
            return (root / ("wiki." + std::string(splitName(split)) + ".tokens")).string();
        case CorpusLayout::PlainDirectory:
            return (root / (std::string(splitName(split)) + ".txt")).string();
        case CorpusLayout::PlainFile:
            return corpus.root;
    }
    return corpus.root;
}

void requireSplits(const CorpusInfo& corpus, std::initializer_list<Split> splits) {
    for (const Split split : splits) {
        if (corpus.has(split)) continue;
        if (corpus.layout == CorpusLayout::PlainFile) {
            throw Error(corpus.root + ": a single text file provides only train and valid splits, not " +
                        splitName(split));
        }
        throw Error(expectedSplitFile(corpus, split) + ": missing — the " + splitName(split) +
                    " split of the " + layoutName(corpus.layout) + " corpus in " + corpus.root +
                    " is not there");
    }
}

std::string readSplit(const CorpusInfo& corpus, Split split) { return readSplit(corpus, split, nullptr); }

std::string readSplit(const CorpusInfo& corpus, Split split, TextCleanReport* report) {
    requireSplits(corpus, {split});
    const std::string& file = corpus.files.at(split);
    std::string text = cleanUtf8Text(readFileBytes(file), file, report);
    if (corpus.layout == CorpusLayout::PlainFile) return std::string(carvePlainFile(text, split, file));
    return text;
}

}  // namespace needlescope
