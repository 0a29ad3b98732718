#include "core/probe/Curriculum.h"

#include <algorithm>

#include "core/util/Error.h"

namespace needlescope {

Curriculum::Curriculum(const Tokenizer& tokenizer, std::shared_ptr<const std::vector<int32_t>> trainTokens,
                       int64_t context, CurriculumSettings settings)
    : tokenizer_(tokenizer), context_(context), settings_(std::move(settings)) {
    if (!(settings_.fraction >= 0.0 && settings_.fraction <= 1.0))
        throw Error("curriculum fraction must be within [0, 1]");
    if (settings_.sets.empty())
        throw Error("the curriculum needs at least one needle set (N needles, R queried)");
    for (const NeedleSet& s : settings_.sets)
        if (s.needles < 1 || s.queries < 1 || s.queries > s.needles)
            throw Error("a needle set needs 1 <= R <= N, got N = " + std::to_string(s.needles) +
                        ", R = " + std::to_string(s.queries));
    if (settings_.minContext < 0 || settings_.minContext > context_)
        throw Error("the curriculum's shortest context (" + std::to_string(settings_.minContext) +
                    ") must lie between 0 and the model's context (" + std::to_string(context_) + ")");
    haystack_ = std::make_unique<Haystack>(std::move(trainTokens), TokenShapes::of(tokenizer));
    builder_ = std::make_unique<PromptBuilder>(tokenizer, *haystack_);
    separator_ = tokenizer.encode(".");
    for (int d = 1; d <= 9; ++d)
        maxAnswer_ = std::max<int64_t>(maxAnswer_,
                                       int64_t(tokenizer.encode(" " + std::to_string(d * 1000000)).size()));
    for (const std::string& city : needleCities()) {
        const NeedleTexts texts = needleTexts({city, "1000000"});
        maxNeedle_ = std::max<int64_t>(
            maxNeedle_, int64_t(tokenizer.encode(texts.lead).size() + tokenizer.encode(texts.tail).size()));
        maxQuestion_ = std::max<int64_t>(maxQuestion_, int64_t(tokenizer.encode(questionText(city)).size()));
    }
    maxNeedle_ += maxAnswer_;
    // Every set must fit the full context and at least one the shortest, so no task built later during
    // training can fail.
    requireFits(context_);
    if (settings_.minContext > 0) requireFits(settings_.minContext);
}

Curriculum::~Curriculum() = default;

namespace {

// Tokens a task of `set` needs besides the haystack, for the longest cities and answers.
int64_t tokensNeeded(const NeedleSet& set, int64_t sink, int64_t needle, int64_t question, int64_t answer,
                     int64_t separator) {
    return sink + set.needles * needle + set.queries * (question + answer) + (set.queries - 1) * separator;
}

}  // namespace

void Curriculum::requireFits(int64_t length) const {
    const int64_t sink = int64_t(builder_->sinkTokens().size()), sep = int64_t(separator_.size());
    bool anyFits = false;
    for (const NeedleSet& s : settings_.sets) {
        const int64_t need = tokensNeeded(s, sink, maxNeedle_, maxQuestion_, maxAnswer_, sep);
        const bool fits = need <= length + 1;
        anyFits = anyFits || fits;
        if (!fits && length == context_)
            throw Error("the retrieval curriculum does not fit a training context of " +
                        std::to_string(length) + " tokens: " + std::to_string(s.needles) +
                        " needle(s) of up to " + std::to_string(maxNeedle_) + " tokens, " +
                        std::to_string(s.queries) + " question(s) of up to " + std::to_string(maxQuestion_) +
                        " tokens and their answers need " + std::to_string(need - 1) + " tokens");
    }
    if (!anyFits)
        throw Error("no needle set of the retrieval curriculum fits its shortest context of " +
                    std::to_string(length) + " tokens: raise context_start");
}

Curriculum::Task Curriculum::task(uint64_t seed, int64_t length) const {
    if (length <= 0) length = context_;
    if (length > context_)
        throw Error("a curriculum task of " + std::to_string(length) + " tokens exceeds the context of " +
                    std::to_string(context_));
    const int64_t sink = int64_t(builder_->sinkTokens().size()), sep = int64_t(separator_.size());
    std::vector<NeedleSet> fitting;
    for (const NeedleSet& s : settings_.sets)
        if (tokensNeeded(s, sink, maxNeedle_, maxQuestion_, maxAnswer_, sep) <= length + 1)
            fitting.push_back(s);
    if (fitting.empty())
        throw Error("no needle set fits a curriculum task of " + std::to_string(length) + " tokens");

    ProbeRng rng(seed);
    Task task;
    task.set = fitting[rng.below(fitting.size())];
    const int64_t reserve = task.set.queries * maxAnswer_ + (task.set.queries - 1) * (sep + maxQuestion_);
    PromptSpec spec;
    spec.contextLength = length + 1 - reserve;
    spec.depth = 100.0 * rng.unit();
    spec.needles = task.set.needles;
    spec.seed = rng.next();
    // A single answer takes maxAnswer_ tokens for most numbers; draw samples until it does, so a one-query
    // task is exactly length + 1 tokens (after 64 misses, or with several queries, the end is padded).
    for (int attempt = 0; attempt < 64; ++attempt) {
        spec.sample = attempt;
        task.prompt = builder_->build(spec);
        if (int64_t(task.prompt.answerTokens.size()) == maxAnswer_) break;
    }
    const Prompt& p = task.prompt;
    task.tokens = p.tokens;
    task.queried.push_back(p.target);
    for (int q = 1; q < task.set.queries; ++q) task.queried.push_back(p.distractorNeedles[size_t(q - 1)]);
    for (size_t q = 0; q < task.queried.size(); ++q) {
        if (q > 0) {
            task.tokens.insert(task.tokens.end(), separator_.begin(), separator_.end());
            const auto question = tokenizer_.encode(questionText(task.queried[q].city));
            task.tokens.insert(task.tokens.end(), question.begin(), question.end());
        }
        const auto answer = q == 0 ? p.answerTokens : tokenizer_.encode(needleTexts(task.queried[q]).answer);
        const int64_t begin = int64_t(task.tokens.size());
        task.tokens.insert(task.tokens.end(), answer.begin(), answer.end());
        task.answers.push_back({begin, int64_t(task.tokens.size())});
    }
    while (int64_t(task.tokens.size()) < length + 1) task.tokens.push_back(builder_->sinkTokens().front());
    return task;
}

std::vector<float> Curriculum::targetWeights(const Task& task, int64_t length, const NeedleLoss& loss) {
    std::vector<float> w(size_t(length), loss.mode == NeedleLoss::Mode::Answer ? 0.0f : 1.0f);
    if (loss.mode == NeedleLoss::Mode::All) return w;
    int64_t answerTokens = 0;
    for (const TokenSpan& a : task.answers) answerTokens += a.size();
    if (answerTokens == 0) return w;
    const float answerWeight = loss.mode == NeedleLoss::Mode::Answer
                                   ? float(double(length) / double(answerTokens))
                                   : float(loss.weight);
    for (const TokenSpan& a : task.answers)
        for (int64_t t = a.begin; t < a.end; ++t)
            if (t >= 1 && t <= length)
                w[size_t(t - 1)] = answerWeight;  // token t is the target of position t − 1
    return w;
}

int64_t Curriculum::apply(Batch& batch, int64_t batchPosition) const {
    if (settings_.fraction <= 0.0) return 0;
    const int64_t rows = batch.inputs.size(0), T = batch.inputs.size(1);
    if (T > context_)
        throw Error("curriculum built for a context of " + std::to_string(context_) + " tokens got " +
                    std::to_string(T));
    batch.inputs = batch.inputs.contiguous();
    batch.targets = batch.targets.contiguous();
    const bool weighted = settings_.loss.mode != NeedleLoss::Mode::All;
    if (weighted)
        batch.weights = batch.weights.defined() ? batch.weights.contiguous()
                                                : torch::ones({rows, T}, torch::kFloat32);  // [B, T]
    int64_t* in = batch.inputs.data_ptr<int64_t>();
    int64_t* out = batch.targets.data_ptr<int64_t>();
    float* weights = weighted ? batch.weights.data_ptr<float>() : nullptr;
    int64_t replaced = 0;
    for (int64_t r = 0; r < rows; ++r) {
        ProbeRng pick(mixSeed({settings_.seed, uint64_t(batchPosition), uint64_t(r)}));
        if (pick.unit() >= settings_.fraction) continue;
        const Task t = task(pick.next(), T);
        for (int64_t i = 0; i < T; ++i) {
            in[r * T + i] = t.tokens[size_t(i)];
            out[r * T + i] = t.tokens[size_t(i + 1)];
        }
        if (weighted) {
            const auto w = targetWeights(t, T, settings_.loss);
            std::copy(w.begin(), w.end(), weights + r * T);
        }
        ++replaced;
    }
    return replaced;
}

}  // namespace needlescope
