#pragma once
// The text the needle hides in: a token stream (the validation split for the probe, the train split for
// the curriculum) with sentence ends found in token space, so insertion points are exact token indices.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data/Corpus.h"
#include "core/data/Tokenizer.h"

namespace needlescope {

// Per vocabulary id: what its text looks like at its edges (computed once by decoding each id alone).
struct TokenShapes {
    std::vector<uint8_t> flags;  // bit 0: ends a sentence (. ! ? before trailing spaces); bit 1: ends in a
                                 // line break; bit 2: starts with whitespace
    static TokenShapes of(const Tokenizer& tokenizer);
    bool endsTerminal(int32_t id) const { return at(id) & 1; }
    bool endsLine(int32_t id) const { return at(id) & 2; }
    bool startsSpace(int32_t id) const { return at(id) & 4; }

  private:
    uint8_t at(int32_t id) const { return id >= 0 && size_t(id) < flags.size() ? flags[size_t(id)] : 0; }
};

class Haystack {
  public:
    Haystack() = default;
    // Throws Error when the tokens hold no sentence end (nowhere to put a needle).
    Haystack(std::vector<int32_t> tokens, const Tokenizer& tokenizer);
    // Shares a token stream held elsewhere (e.g. the train split during training) without copying it.
    Haystack(std::shared_ptr<const std::vector<int32_t>> tokens, const TokenShapes& shapes);

    // The split of the corpus at `dataDir` (any layout detectCorpus knows), at most `maxBytes` of its text
    // (cut at a line end), encoded with `tokenizer`. Throws Error naming the corpus when it is unusable.
    static Haystack fromCorpus(const std::string& dataDir, const Tokenizer& tokenizer,
                               Split split = Split::Valid, size_t maxBytes = size_t{8} << 20);

    const std::vector<int32_t>& tokens() const { return *tokens_; }
    size_t size() const { return tokens_ ? tokens_->size() : 0; }
    bool empty() const { return size() == 0; }

    // Token i closes a sentence: its text ends in . ! or ? and the next token starts with whitespace, or
    // its text ends in a line break. A cut right after it falls before whitespace (or after a line end),
    // where the tokenizer never merges, so inserted text keeps the haystack's tokens unchanged.
    bool endsSentence(size_t i) const;
    // Indices s where a sentence starts (s = i + 1 for every sentence end i), ascending.
    const std::vector<uint32_t>& sentenceStarts() const { return starts_; }
    // Indices s > 0 whose token starts with whitespace (a word start; text inserted before it keeps the
    // haystack's tokens), ascending. The fallback when no sentence end lies near a requested depth.
    const std::vector<uint32_t>& wordStarts() const { return words_; }

  private:
    std::shared_ptr<const std::vector<int32_t>> tokens_;
    std::vector<uint32_t> starts_;  // i + 1 for each sentence end i below the last token
    std::vector<uint32_t> words_;   // i for each token i > 0 that starts with whitespace
    bool lastEnds_ = false;         // whether the last token ends a sentence
};

}  // namespace needlescope
