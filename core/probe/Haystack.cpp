#include "core/probe/Haystack.h"

#include <algorithm>
#include <limits>

#include "core/util/Error.h"

namespace needlescope {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

}  // namespace

TokenShapes TokenShapes::of(const Tokenizer& tokenizer) {
    TokenShapes shapes;
    const int vocab = tokenizer.vocabSize();
    shapes.flags.assign(size_t(vocab), 0);
    for (int id = 0; id < vocab; ++id) {
        std::string text;
        try {
            text = tokenizer.decode({int32_t(id)});
        } catch (const Error&) {
            continue;  // control ids that do not decode carry no flags
        }
        if (text.empty()) continue;
        uint8_t f = 0;
        if (isSpace(text.front())) f |= 4;
        if (text.back() == '\n') f |= 2;
        size_t end = text.size();
        while (end > 0 && isSpace(text[end - 1])) --end;
        if (end > 0 && (text[end - 1] == '.' || text[end - 1] == '!' || text[end - 1] == '?')) f |= 1;
        shapes.flags[size_t(id)] = f;
    }
    return shapes;
}

Haystack::Haystack(std::vector<int32_t> tokens, const Tokenizer& tokenizer)
    : Haystack(std::make_shared<const std::vector<int32_t>>(std::move(tokens)), TokenShapes::of(tokenizer)) {}

Haystack::Haystack(std::shared_ptr<const std::vector<int32_t>> tokens, const TokenShapes& shapes)
    : tokens_(std::move(tokens)) {
    if (!tokens_) tokens_ = std::make_shared<const std::vector<int32_t>>();
    const auto& t = *tokens_;
    if (t.size() >= size_t(std::numeric_limits<uint32_t>::max()))
        throw Error("the haystack text is too long (" + std::to_string(t.size()) + " tokens)");
    for (size_t i = 0; i < t.size(); ++i) {
        const bool last = i + 1 == t.size();
        const bool nextStartsSpace = !last && shapes.startsSpace(t[i + 1]);
        if (i > 0 && shapes.startsSpace(t[i])) words_.push_back(uint32_t(i));
        const bool end = (shapes.endsTerminal(t[i]) && (nextStartsSpace || last)) || shapes.endsLine(t[i]);
        if (!end) continue;
        if (last)
            lastEnds_ = true;
        else
            starts_.push_back(uint32_t(i + 1));
    }
    if (starts_.empty())
        throw Error("the haystack text (" + std::to_string(t.size()) +
                    " tokens) has no sentence end to place a needle after");
}

bool Haystack::endsSentence(size_t i) const {
    if (i + 1 == size()) return lastEnds_;
    return i + 1 < size() && std::binary_search(starts_.begin(), starts_.end(), uint32_t(i + 1));
}

Haystack Haystack::fromCorpus(const std::string& dataDir, const Tokenizer& tokenizer, Split split,
                              size_t maxBytes) {
    const CorpusInfo corpus = detectCorpus(dataDir);
    requireSplits(corpus, {split});
    std::string text = readSplit(corpus, split);
    if (text.size() > maxBytes) {
        const size_t cut = text.find('\n', maxBytes);
        if (cut != std::string::npos) text.resize(cut + 1);
    }
    return Haystack(tokenizer.encode(text), tokenizer);
}

}  // namespace needlescope
