#pragma once
// Turns a corpus into token ids once: trains the tokenizer on the train split, encodes every split,
// and caches the model and the ids under <cacheDir>/tokenized/<key>/ so later starts just load them.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/data/Corpus.h"
#include "core/data/Tokenizer.h"

namespace needlescope {

struct TokenizerSettings {
    int vocabSize = 8192;
    int threads = 0;  // training and encoding threads; 0 = every core (does not change the result)
};

struct PreparedCorpus {
    CorpusInfo corpus;
    Tokenizer tokenizer;
    std::vector<int32_t> train, valid, test;  // test is empty when the corpus has no test split
    bool fromCache = false;                   // true when nothing was trained or encoded
    std::string cacheKey;                     // hash of the corpus text and the tokenizer settings
    std::string cacheFolder;                  // <cacheDir>/tokenized/<cacheKey>
    bool trainedTokenizer = false;            // the tokenizer was (re)trained by this call
    std::vector<std::string> cacheNotes;      // why cached files were not used, for logs
};

// Called with a stage name ("Reading corpus", "Training tokenizer", "Encoding train split", …) and
// the fraction of that stage done, on the calling thread.
using ProgressFn = std::function<void(const std::string& stage, double fraction)>;

// The cache key of these split texts under these settings (16 hex digits).
std::string tokenCacheKey(const std::map<Split, std::string>& splitTexts, const TokenizerSettings& settings);

// Needs the train and valid splits. Cached files that are missing, truncated, corrupted or made by a
// different tokenizer model are rebuilt (see cacheNotes), never trusted. Throws Error for unreadable or
// bad corpus files and for an unwritable cache folder.
PreparedCorpus prepareCorpus(const CorpusInfo& corpus, const TokenizerSettings& settings,
                             const std::string& cacheDir, const ProgressFn& progress = {});

}  // namespace needlescope
