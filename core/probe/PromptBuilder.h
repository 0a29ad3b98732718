#pragma once
// Assembles one needle-probe prompt in token space with exact spans (DESIGN §4):
//   [sink] [haystack … needle … haystack] [question]
// The sink is the prompt's first token; the needle goes at depth p % of the haystack, at the sentence
// boundary nearest p (before or after), or at the nearest word boundary when no sentence boundary lies within
// 4 % of the haystack; distractor needles (N − 1 of them) go to random sentence ends; the cloze question
// ends the prompt. Every part is encoded on its own and concatenated, so each span is exact by
// construction (never estimated from word or character counts).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/Tokenizer.h"
#include "core/probe/Haystack.h"
#include "core/probe/NeedleTask.h"

namespace needlescope {

struct TokenSpan {
    int64_t begin = 0, end = 0;  // [begin, end)
    int64_t size() const { return end - begin; }
    bool empty() const { return end <= begin; }
    bool contains(int64_t position) const { return position >= begin && position < end; }
};

// A needle sentence split as the generator's is (lead, " answer", tail), each part encoded on its own.
struct NeedleParts {
    std::vector<int32_t> lead, answer, tail;
    std::string sentence;  // the whole text: distractors never repeat its city or number
    int64_t size() const { return int64_t(lead.size() + answer.size() + tail.size()); }
};

struct PromptSpec {
    int64_t contextLength = 256;  // prompt tokens in all: sink + haystack + needles + question
    double depth = 50;            // percent of the haystack that comes before the needle, 0–100
    int needles = 1;              // N needle pairs in total: the queried one and N − 1 distractors
    uint64_t seed = 0;            // with `sample`: the haystack window, the needles, the distractor places
    int64_t sample = 0;  // (the depth does not change them: sample k is the same text at every depth)
    // Custom texts (the workbench's edited needle / question): the queried needle and the question that
    // ends the prompt. The distractors are still the generator's, redrawn where they would share the
    // custom needle's city or number.
    std::optional<NeedleParts> customNeedle;
    std::optional<std::vector<int32_t>> customQuestion;
};

// The tokens a prompt needs besides its haystack.
struct PromptNeeds {
    int64_t sink = 0, needle = 0, distractors = 0, question = 0;
    int distractorCount = 0;
    int64_t total() const { return sink + needle + distractors + question; }
    // "3 needles (57 tokens), the question (21 tokens) and the first token need 79 tokens"
    std::string describe() const;
};

struct Prompt {
    std::vector<int32_t> tokens;         // contextLength tokens
    std::vector<int32_t> answerTokens;   // the continuation that answers the question (tokens of " {number}")
    TokenSpan sink;                      // [0, 1)
    TokenSpan needle;                    // the whole queried needle sentence
    TokenSpan answer;                    // the number's tokens, inside `needle`
    TokenSpan question;                  // the cloze question; it ends the prompt
    std::vector<TokenSpan> distractors;  // the other needle sentences (noise), in prompt order
    Needle target;
    std::vector<Needle> distractorNeedles;  // distractorNeedles[i] is the needle of distractors[i]
    double depth = 0;                       // as requested
    double placedDepth = 0;     // haystack tokens before the needle / haystack tokens, in percent (stored)
    int64_t haystackStart = 0;  // first haystack token's index in the Haystack
    int64_t haystackTokens = 0;
    int64_t sample = 0;
};

class PromptBuilder {
  public:
    // Both are referenced, not copied: they must outlive the builder.
    PromptBuilder(const Tokenizer& tokenizer, const Haystack& haystack);

    // Throws Error for a depth outside 0–100, a context the needle, question and distractors do not fit
    // in, fewer than one needle, or a haystack shorter than the context.
    Prompt build(const PromptSpec& spec) const;

    // What the prompt of `spec` needs besides haystack (its needles are drawn from its seed and context).
    PromptNeeds needs(const PromptSpec& spec) const;
    // The most any sample of `spec` can need, over every city and number the generator may draw (custom
    // texts count as they are): every context of at least worstNeeds().total() tokens holds every sample.
    PromptNeeds worstNeeds(const PromptSpec& spec) const;
    // The least any sample of `spec` can need (the shortest city and number): a context below
    // leastNeeds().total() holds no sample at all.
    PromptNeeds leastNeeds(const PromptSpec& spec) const;

    const std::vector<int32_t>& sinkTokens() const { return sink_; }

  private:
    struct Drawn;
    Drawn draw(const PromptSpec& spec, ProbeRng& rng) const;

    const Tokenizer& tokenizer_;
    const Haystack& haystack_;
    std::vector<int32_t> sink_;                    // the first token(s): a line break, as at a document start
    int64_t worstNeedle_ = 0, worstQuestion_ = 0;  // the longest generated needle / question, in tokens
    int64_t leastNeedle_ = 0, leastQuestion_ = 0;  // the shortest
};

// Checks a needle depth (percent); throws Error with a clear message when it is outside 0–100 or NaN.
void requireDepth(double depth);

}  // namespace needlescope
