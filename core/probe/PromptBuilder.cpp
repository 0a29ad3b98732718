#include "core/probe/PromptBuilder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/util/Error.h"

namespace needlescope {
namespace {

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

struct PromptBuilder::Drawn {
    std::vector<Needle> needles;  // needles[0] is the queried one (replaced by a custom needle)
    std::vector<NeedleParts> encoded;
    std::vector<int32_t> question;
    PromptNeeds needs;
};

std::string PromptNeeds::describe() const {
    std::string what;
    if (distractorCount > 0)
        what = std::to_string(distractorCount + 1) + " needles (" + std::to_string(needle + distractors) +
               " tokens)";
    else
        what = "the needle (" + std::to_string(needle) + " tokens)";
    return what + ", the question (" + std::to_string(question) + " tokens) and the first token need " +
           std::to_string(total()) + " tokens";
}

PromptBuilder::PromptBuilder(const Tokenizer& tokenizer, const Haystack& haystack)
    : tokenizer_(tokenizer), haystack_(haystack), sink_(tokenizer.encode("\n")) {
    if (sink_.empty())
        throw Error("the tokenizer encodes a line break as nothing; cannot build a sink token");
    int64_t answer = 0, leastAnswer = std::numeric_limits<int64_t>::max();
    for (int d = 1; d <= 9; ++d)
        for (int number : {d * 1000000, d * 1111111}) {
            const int64_t n = int64_t(tokenizer.encode(" " + std::to_string(number)).size());
            answer = std::max(answer, n);
            leastAnswer = std::min(leastAnswer, n);
        }
    leastNeedle_ = leastQuestion_ = std::numeric_limits<int64_t>::max();
    for (const std::string& city : needleCities()) {
        const NeedleTexts texts = needleTexts({city, "1000000"});
        const int64_t words =
            int64_t(tokenizer.encode(texts.lead).size() + tokenizer.encode(texts.tail).size());
        const int64_t question = int64_t(tokenizer.encode(questionText(city)).size());
        worstNeedle_ = std::max(worstNeedle_, words + answer);
        worstQuestion_ = std::max(worstQuestion_, question);
        leastNeedle_ = std::min(leastNeedle_, words + leastAnswer);
        leastQuestion_ = std::min(leastQuestion_, question);
    }
}

PromptBuilder::Drawn PromptBuilder::draw(const PromptSpec& spec, ProbeRng& rng) const {
    if (spec.needles < 1)
        throw Error("a probe needs at least one needle, got " + std::to_string(spec.needles));
    Drawn d;
    d.needles =
        drawNeedles(rng, spec.needles, spec.customNeedle ? spec.customNeedle->sentence : std::string());
    for (size_t i = 0; i < d.needles.size(); ++i) {
        if (i == 0 && spec.customNeedle) {
            d.encoded.push_back(*spec.customNeedle);
            continue;
        }
        const NeedleTexts texts = needleTexts(d.needles[i]);
        d.encoded.push_back({tokenizer_.encode(texts.lead), tokenizer_.encode(texts.answer),
                             tokenizer_.encode(texts.tail), texts.sentence()});
    }
    d.question =
        spec.customQuestion ? *spec.customQuestion : tokenizer_.encode(questionText(d.needles[0].city));
    d.needs.sink = int64_t(sink_.size());
    d.needs.needle = d.encoded[0].size();
    for (size_t i = 1; i < d.encoded.size(); ++i) d.needs.distractors += d.encoded[i].size();
    d.needs.distractorCount = int(d.encoded.size()) - 1;
    d.needs.question = int64_t(d.question.size());
    return d;
}

PromptNeeds PromptBuilder::needs(const PromptSpec& spec) const {
    ProbeRng rng(
        mixSeed({spec.seed, uint64_t(spec.contextLength), uint64_t(spec.needles), uint64_t(spec.sample)}));
    return draw(spec, rng).needs;
}

PromptNeeds PromptBuilder::worstNeeds(const PromptSpec& spec) const {
    if (spec.needles < 1)
        throw Error("a probe needs at least one needle, got " + std::to_string(spec.needles));
    PromptNeeds n;
    n.sink = int64_t(sink_.size());
    n.needle = spec.customNeedle ? spec.customNeedle->size() : worstNeedle_;
    n.distractorCount = spec.needles - 1;
    n.distractors = int64_t(n.distractorCount) * worstNeedle_;
    n.question = spec.customQuestion ? int64_t(spec.customQuestion->size()) : worstQuestion_;
    return n;
}

PromptNeeds PromptBuilder::leastNeeds(const PromptSpec& spec) const {
    PromptNeeds n = worstNeeds(spec);
    if (!spec.customNeedle) n.needle = leastNeedle_;
    n.distractors = int64_t(n.distractorCount) * leastNeedle_;
    if (!spec.customQuestion) n.question = leastQuestion_;
    return n;
}

Prompt PromptBuilder::build(const PromptSpec& spec) const {
    requireDepth(spec.depth);
    if (spec.needles < 1)
        throw Error("a probe needs at least one needle, got " + std::to_string(spec.needles));
    if (spec.contextLength < 2)
        throw Error("context length must be at least 2 tokens, got " + std::to_string(spec.contextLength));

    ProbeRng rng(
        mixSeed({spec.seed, uint64_t(spec.contextLength), uint64_t(spec.needles), uint64_t(spec.sample)}));
    const Drawn drawn = draw(spec, rng);
    const std::vector<NeedleParts>& encoded = drawn.encoded;
    const std::vector<int32_t>& question = drawn.question;
    const int64_t fixed = drawn.needs.total();
    const int64_t H = spec.contextLength - fixed;  // haystack tokens
    if (H < 0)
        throw Error(drawn.needs.describe() + ", more than the context of " +
                    std::to_string(spec.contextLength) + " tokens: use a context of at least " +
                    std::to_string(fixed) + " tokens" + (encoded.size() > 1 ? " or fewer needles" : ""));

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
    prompt.target = drawn.needles[0];
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
        const NeedleParts& e = encoded[ins.index];
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
            prompt.distractorNeedles.push_back(drawn.needles[ins.index]);
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
