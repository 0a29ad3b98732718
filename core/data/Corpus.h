#pragma once
// Where a corpus's splits live (WikiText raw / tokens, or users' plain text) and reading them as UTF-8.
#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>

#include "core/data/Utf8Text.h"

namespace needlescope {

enum class Split { Train, Valid, Test };
enum class CorpusLayout { WikiTextRaw, WikiTextTokens, PlainFile, PlainDirectory };

const char* splitName(Split split);           // "train", "valid", "test"
const char* layoutName(CorpusLayout layout);  // "WikiText (raw)", "WikiText (tokens)", …

struct CorpusInfo {
    CorpusLayout layout = CorpusLayout::PlainDirectory;
    std::string root;                    // the folder holding the files; for PlainFile, the file itself
    std::map<Split, std::string> files;  // only the splits that are present
    std::string describe() const;        // one line for logs and the UI
    bool has(Split split) const;
};

// Recognises, in this order of preference:
//  - WikiText raw:    wiki.{train,valid,test}.raw      (wikitext-2-raw-v1, wikitext-103-raw-v1)
//  - WikiText tokens: wiki.{train,valid,test}.tokens   (wikitext-2-v1, wikitext-103-v1)
//  - plain directory: train.txt, valid.txt (or validation.txt / val.txt), test.txt
//  - plain file:      one UTF-8 text file; its last 5 % (cut at a line end) is the valid split
// A layout holding a train split wins over one that lacks it. When `path` itself holds none of these,
// its immediate sub-folders are searched (so the folder an archive was unpacked into also works).
// Throws Error naming the path and the problem.
CorpusInfo detectCorpus(const std::string& path);

// The file a split is (or would be) read from, e.g. "<root>/wiki.train.raw".
std::string expectedSplitFile(const CorpusInfo& corpus, Split split);

// Throws Error naming the expected file of the first split in `splits` that the corpus lacks.
void requireSplits(const CorpusInfo& corpus, std::initializer_list<Split> splits);

// Returns the split as valid UTF-8 text. Malformed UTF-8 sequences are replaced by U+FFFD (one per
// maximal malformed subpart; `report` counts them and gives the first line), a byte-order mark is
// dropped and CRLF becomes LF. Throws Error naming the file for a missing split, an unreadable file,
// an empty or whitespace-only file, and binary (non-text) data.
std::string readSplit(const CorpusInfo& corpus, Split split);
std::string readSplit(const CorpusInfo& corpus, Split split, TextCleanReport* report);

}  // namespace needlescope
