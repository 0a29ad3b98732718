#include "core/probe/Curriculum.h"

#include <algorithm>

#include "core/util/Error.h"

namespace needlescope {

Curriculum::Curriculum(const Tokenizer& tokenizer, std::shared_ptr<const std::vector<int32_t>> trainTokens,
                       int64_t context, CurriculumSettings settings)
    : tokenizer_(tokenizer), context_(context), settings_(settings) {
    if (!(settings_.fraction >= 0.0 && settings_.fraction <= 1.0))
        throw Error("curriculum fraction must be within [0, 1]");
    if (settings_.maxNeedles < 1) throw Error("the curriculum needs at least one needle per task");
    haystack_ = std::make_unique<Haystack>(std::move(trainTokens), TokenShapes::of(tokenizer));
    builder_ = std::make_unique<PromptBuilder>(tokenizer, *haystack_);
    for (int d = 1; d <= 9; ++d)
        maxAnswer_ = std::max<int64_t>(maxAnswer_, int64_t(tokenizer.encode(" " + std::to_string(d * 1000000)).size()));
    // The longest task (longest city names, longest answers, maxNeedles needles) must fit, so no task built
    // later during training can fail.
    int64_t needle = 0, question = 0;
    for (const std::string& city : needleCities()) {
        const NeedleTexts texts = needleTexts({city, "1000000"});
        needle = std::max<int64_t>(needle, int64_t(tokenizer.encode(texts.lead).size() + tokenizer.encode(texts.tail).size()));
        question = std::max<int64_t>(question, int64_t(tokenizer.encode(questionText(city)).size()));
    }
    needle += maxAnswer_;
    const int64_t need = int64_t(builder_->sinkTokens().size()) + settings_.maxNeedles * needle + question;
    const int64_t room = context_ + 1 - maxAnswer_;
    if (need > room)
        throw Error("the retrieval curriculum does not fit a training context of " + std::to_string(context_) +
                    " tokens: " + std::to_string(settings_.maxNeedles) + " needle(s) of up to " + std::to_string(needle) +
                    " tokens, a question of up to " + std::to_string(question) + " tokens and the answer need " +
                    std::to_string(need + maxAnswer_ - 1) + " tokens");
}

Curriculum::~Curriculum() = default;

Curriculum::Task Curriculum::task(uint64_t seed) const {
    ProbeRng rng(seed);
    PromptSpec spec;
    spec.contextLength = context_ + 1 - maxAnswer_;
    spec.depth = 100.0 * rng.unit();
    spec.needles = 1 + int(rng.below(uint64_t(settings_.maxNeedles)));
    spec.seed = rng.next();
    Task task;
    // Answers take maxAnswer_ tokens for most numbers; draw samples until one does, so the task is exactly
    // context + 1 tokens (after 64 misses, pad the end with line breaks).
    for (int attempt = 0; attempt < 64; ++attempt) {
        spec.sample = attempt;
        task.prompt = builder_->build(spec);
        if (int64_t(task.prompt.answerTokens.size()) == maxAnswer_) break;
    }
    task.tokens = task.prompt.tokens;
    task.tokens.insert(task.tokens.end(), task.prompt.answerTokens.begin(), task.prompt.answerTokens.end());
    while (int64_t(task.tokens.size()) < context_ + 1) task.tokens.push_back(builder_->sinkTokens().front());
    return task;
}

int64_t Curriculum::apply(Batch& batch, int64_t batchPosition) const {
    if (settings_.fraction <= 0.0) return 0;
    const int64_t rows = batch.inputs.size(0), T = batch.inputs.size(1);
    if (T != context_) throw Error("curriculum built for a context of " + std::to_string(context_) + " tokens got " + std::to_string(T));
    batch.inputs = batch.inputs.contiguous();
    batch.targets = batch.targets.contiguous();
    int64_t* in = batch.inputs.data_ptr<int64_t>();
    int64_t* out = batch.targets.data_ptr<int64_t>();
    int64_t replaced = 0;
    for (int64_t r = 0; r < rows; ++r) {
        ProbeRng pick(mixSeed({settings_.seed, uint64_t(batchPosition), uint64_t(r)}));
        if (pick.unit() >= settings_.fraction) continue;
        const Task t = task(pick.next());
        for (int64_t i = 0; i < T; ++i) {
            in[r * T + i] = t.tokens[size_t(i)];
            out[r * T + i] = t.tokens[size_t(i + 1)];
        }
        ++replaced;
    }
    return replaced;
}

}  // namespace needlescope
