#include "core/probe/PromptBuilder.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/util/Error.h"

namespace needlescope {
namespace {

struct EncodedNeedle {
    std::vector<int32_t> lead, answer, tail;
    int64_t size() const { return int64_t(lead.size() + answer.size() + tail.size()); }
};

struct Insertion {
    int64_t point = 0;  // haystack offset the needle goes before
    bool target = false;
    size_t index = 0;  // into the encoded needles
};

// How far (a fraction of the haystack) the nearest sentence boundary may lie from the requested depth
// before a word boundary is used instead.
constexpr double kSentenceTolerance = 0.04;

std::string formatDepth(double depth) {
    std::ostringstream out;
    out << depth;
    return out.str();
}

}  // namespace

void requireDepth(double depth) {
    if (!(depth >= 0.0 && depth <= 100.0))
        throw Error("needle depth must be within 0-100 %, got " + formatDepth(depth));
}

PromptBuilder::PromptBuilder(const Tokenizer& tokenizer, const Haystack& haystack)
    : tokenizer_(tokenizer), haystack_(haystack), sink_(tokenizer.encode("\n")) {
    if (sink_.empty())
        throw Error("the tokenizer encodes a line break as nothing; cannot build a sink token");
}

Prompt PromptBuilder::build(const PromptSpec& spec) const {
    requireDepth(spec.depth);
    if (spec.needles < 1)
        throw Error("a probe needs at least one needle, got " + std::to_string(spec.needles));
    if (spec.contextLength < 2)
        throw Error("context length must be at least 2 tokens, got " + std::to_string(spec.contextLength));

    ProbeRng rng(
        mixSeed({spec.seed, uint64_t(spec.contextLength), uint64_t(spec.needles), uint64_t(spec.sample)}));
    const std::vector<Needle> drawn = drawNeedles(rng, spec.needles);
    std::vector<EncodedNeedle> encoded;
    for (const Needle& n : drawn) {
        const NeedleTexts texts = needleTexts(n);
        encoded.push_back(
            {tokenizer_.encode(texts.lead), tokenizer_.encode(texts.answer), tokenizer_.encode(texts.tail)});
    }
    const std::vector<int32_t> question = tokenizer_.encode(questionText(drawn[0].city));

    int64_t fixed = int64_t(sink_.size() + question.size());
    for (const auto& e : encoded) fixed += e.size();
    const int64_t H = spec.contextLength - fixed;  // haystack tokens
    if (H < 0) {
        std::string what = "the needle (" + std::to_string(encoded[0].size()) + " tokens), its question (" +
                           std::to_string(question.size()) + " tokens)";
        if (encoded.size() > 1)
            what += ", " + std::to_string(encoded.size() - 1) + " distractor needle(s) (" +
                    std::to_string(fixed - int64_t(sink_.size() + question.size()) - encoded[0].size()) +
                    " tokens)";
        throw Error(what + " and the first token need " + std::to_string(fixed) +
                    " tokens, more than the context of " + std::to_string(spec.contextLength) + " tokens");
    }

    // A window of H haystack tokens that starts at a sentence start.
    const auto& starts = haystack_.sentenceStarts();
    const int64_t lastStart = int64_t(haystack_.size()) - H;  // window [s, s + H) must fit
    const auto eligibleEnd =
        std::upper_bound(starts.begin(), starts.end(), uint32_t(std::max<int64_t>(0, lastStart)));
    const int64_t eligible = lastStart < 0 ? 0 : int64_t(eligibleEnd - starts.begin());
    if (eligible == 0)
        throw Error("the haystack (" + std::to_string(haystack_.size()) +
                    " tokens) is too short for a context of " + std::to_string(spec.contextLength) +
                    " tokens");
    const int64_t s = starts[size_t(rng.below(uint64_t(eligible)))];

    // Insertion points: the window start, after every sentence end inside it, and its end.
    std::vector<int64_t> points = {0};
    for (auto it = std::upper_bound(starts.begin(), starts.end(), uint32_t(s));
         it != starts.end() && int64_t(*it) < s + H; ++it)
        points.push_back(int64_t(*it) - s);
    if (H > 0) points.push_back(H);
    std::vector<int64_t> interior(points.begin() + 1, points.end() - (H > 0 ? 1 : 0));

    // The needle goes to the sentence boundary nearest the requested depth (before or after it); when none
    // lies within kSentenceTolerance of the haystack, to the nearest word start instead (DESIGN §4).
    const double target = spec.depth / 100.0 * double(H);
    auto nearest = [&](const std::vector<int64_t>& candidates) {
        int64_t best = candidates.front();
        for (int64_t p : candidates)
            if (std::abs(double(p) - target) < std::abs(double(best) - target) - 1e-9) best = p;
        return best;
    };
    int64_t targetPoint = nearest(points);
    if (std::abs(double(targetPoint) - target) > kSentenceTolerance * double(H)) {
        std::vector<int64_t> words = points;
        const auto& wordStarts = haystack_.wordStarts();
        for (auto it = std::upper_bound(wordStarts.begin(), wordStarts.end(), uint32_t(s));
             it != wordStarts.end() && int64_t(*it) < s + H; ++it)
            words.push_back(int64_t(*it) - s);
        targetPoint = nearest(words);
    }

    std::vector<Insertion> insertions = {{targetPoint, true, 0}};
    for (size_t i = 1; i < encoded.size(); ++i) {
        const auto& pool = interior.empty() ? points : interior;
        insertions.push_back({pool[size_t(rng.below(pool.size()))], false, i});
    }
    // Same point: the queried needle goes first in the first half, last in the second (so depth 0 puts it
    // first and depth 100 last).
    const bool targetFirst = spec.depth <= 50.0;
    std::stable_sort(insertions.begin(), insertions.end(), [&](const Insertion& a, const Insertion& b) {
        if (a.point != b.point) return a.point < b.point;
        if (a.target != b.target) return targetFirst ? a.target : b.target;
        return a.index < b.index;
    });

    Prompt prompt;
    prompt.sample = spec.sample;
    prompt.depth = spec.depth;
    prompt.placedDepth = H > 0 ? 100.0 * double(targetPoint) / double(H) : spec.depth;
    prompt.haystackStart = s;
    prompt.haystackTokens = H;
    prompt.target = drawn[0];
    prompt.answerTokens = encoded[0].answer;
    auto& out = prompt.tokens;
    out.reserve(size_t(spec.contextLength));
    out.insert(out.end(), sink_.begin(), sink_.end());
    prompt.sink = {0, 1};
    const auto& hay = haystack_.tokens();
    int64_t copied = 0;
    for (const Insertion& ins : insertions) {
        out.insert(out.end(), hay.begin() + s + copied, hay.begin() + s + ins.point);
        copied = ins.point;
        const EncodedNeedle& e = encoded[ins.index];
        const int64_t begin = int64_t(out.size());
        out.insert(out.end(), e.lead.begin(), e.lead.end());
        const int64_t answerBegin = int64_t(out.size());
        out.insert(out.end(), e.answer.begin(), e.answer.end());
        const int64_t answerEnd = int64_t(out.size());
        out.insert(out.end(), e.tail.begin(), e.tail.end());
        const TokenSpan whole{begin, int64_t(out.size())};
        if (ins.target) {
            prompt.needle = whole;
            // The number's tokens: the answer part without a leading whitespace-only token.
            int64_t first = answerBegin;
            while (first < answerEnd) {
                const std::string text = tokenizer_.decode({out[size_t(first)]});
                if (text.find_first_not_of(" \t\n") != std::string::npos) break;
                ++first;
            }
            prompt.answer = {first, answerEnd};
        } else {
            prompt.distractors.push_back(whole);
            prompt.distractorNeedles.push_back(drawn[ins.index]);
        }
    }
    out.insert(out.end(), hay.begin() + s + copied, hay.begin() + s + H);
    prompt.question = {int64_t(out.size()), int64_t(out.size() + question.size())};
    out.insert(out.end(), question.begin(), question.end());
    if (int64_t(out.size()) != spec.contextLength)
        throw Error("internal error: built a prompt of " + std::to_string(out.size()) +
                    " tokens for a context of " + std::to_string(spec.contextLength));
    return prompt;
}

}  // namespace needlescope
