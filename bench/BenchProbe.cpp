#include "bench/BenchProbe.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>

#include "bench/BenchCommon.h"
#include "core/model/Decoder.h"
#include "core/probe/Probe.h"
#include "core/train/TrainConfig.h"
#include "core/util/Runtime.h"

namespace needlescope::bench {
namespace {

constexpr int64_t kAnswerTokens = 7;

// A prompt of `T` random tokens with the spans a real one has: sink, a 15-token needle at half depth
// holding a 7-token answer, a 20-token question at the end.
Prompt syntheticPrompt(int64_t T, int64_t vocab) {
    Prompt p;
    torch::manual_seed(7);
    auto ids = torch::randint(3, vocab, {T + kAnswerTokens}, torch::kInt64);  // [T + n]
    for (int64_t i = 0; i < T; ++i) p.tokens.push_back(int32_t(ids[i].item<int64_t>()));
    for (int64_t i = 0; i < kAnswerTokens; ++i) p.answerTokens.push_back(int32_t(ids[T + i].item<int64_t>()));
    p.sink = {0, 1};
    p.needle = {T / 2, T / 2 + 15};
    p.answer = {T / 2 + 7, T / 2 + 14};
    p.question = {T - 20, T};
    p.depth = 50;
    return p;
}

double percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
    return v[i];
}

}  // namespace

ModelConfig probeBenchModel(ModelKind kind, int64_t maxContext) {
    ModelConfig m;
    m.dModel = 256;
    m.nHeads = 8;
    m.nLayers = 4;
    m.vocabSize = 8192;
    try {
        const TrainConfig quick = loadPreset("quick");
        m = quick.model;
        m.vocabSize = quick.tokenizerVocab;
    } catch (const std::exception&) {
        // no `quick` preset: keep the defaults above
    }
    m.kind = kind;
    m.maxContext = maxContext;
    return m;
}

int runProbeBench(const ProbeBenchOptions& options) {
    const int threads = configureThreads(options.threads);
    int64_t longest = 0;
    for (int64_t c : options.contexts) longest = std::max(longest, c);
    const ModelConfig shape = probeBenchModel(ModelKind::Standard, longest + kAnswerTokens);
    std::printf(
        "bench probe  threads=%d  warmup=%d  timed=%d  query=%s  model d_model=%lld heads=%lld layers=%lld "
        "vocab=%lld (random weights)\n",
        threads, options.warmup, options.repeats, options.questionMean ? "question-mean" : "last",
        (long long)shape.dModel, (long long)shape.nHeads, (long long)shape.nLayers,
        (long long)shape.vocabSize);
    std::printf(
        "one placement = forward over prompt + 6 answer tokens, capture of the query row(s) in every layer,\n"
        "buckets for every (layer, head), retrieval check. Target: <= 50 ms at 512 tokens on 2 cores.\n"
        "heatmap = the Inspect view's placement: the same forward also capturing its heatmap rows (every "
        "row\n"
        "up to 256 tokens, else the last 128 and the question's); overhead = its median time outside the\n"
        "forward (row selection, buckets, retrieval check), which should stay small next to the "
        "forward.\n\n");
    std::printf("%-9s %6s %11s %9s %9s %9s %11s %11s %11s\n", "model", "ctx", "ms median", "ms min", "ms p90",
                "heads", "fwd-only ms", "heatmap ms", "overhead ms");
    for (ModelKind kind : options.models) {
        Decoder model(probeBenchModel(kind, longest + kAnswerTokens));
        model->eval();
        for (int64_t T : options.contexts) {
            const Prompt prompt = syntheticPrompt(T, shape.vocabSize);
            PlacementOptions placement;
            placement.query = options.questionMean ? QueryMode::QuestionMean : QueryMode::LastToken;
            int64_t heads = 0;
            for (int i = 0; i < options.warmup; ++i)
                heads = int64_t(probePlacement(*model, prompt, placement).heads.size());
            std::vector<double> ms;
            for (int i = 0; i < options.repeats; ++i) {
                Stopwatch watch;
                const PlacementResult r = probePlacement(*model, prompt, placement);
                ms.push_back(watch.seconds() * 1e3);
                heads = int64_t(r.heads.size());
            }
            // Reference: a plain forward of the same sequence (no capture, no buckets).
            const auto input = probeInput(prompt.tokens, prompt.answerTokens);
            std::vector<double> fwd;
            {
                torch::NoGradGuard noGrad;
                for (int i = 0; i < options.warmup; ++i) model->forward(input);
                for (int i = 0; i < options.repeats; ++i) {
                    Stopwatch watch;
                    model->forward(input);
                    fwd.push_back(watch.seconds() * 1e3);
                }
            }
            // The Inspect view's placement (InspectionRequest's default rows): heatmap rows in the same
            // forward.
            PlacementOptions heatmap = placement;
            const int64_t from = T <= 256 ? 0 : std::min(T - 128, prompt.question.begin);
            for (int64_t r = from; r < T; ++r) heatmap.mapRows.push_back(r);
            for (int i = 0; i < options.warmup; ++i) probePlacement(*model, prompt, heatmap);
            std::vector<double> heatmapMs, overheadMs;
            for (int i = 0; i < options.repeats; ++i) {
                Stopwatch watch;
                const PlacementResult r = probePlacement(*model, prompt, heatmap);
                heatmapMs.push_back(watch.seconds() * 1e3);
                overheadMs.push_back(heatmapMs.back() - r.forwardMs);
            }
            std::printf("%-9s %6lld %11.1f %9.1f %9.1f %9lld %11.1f %11.1f %11.1f\n", kindName(kind).c_str(),
                        (long long)T, percentile(ms, 0.5), percentile(ms, 0.0), percentile(ms, 0.9),
                        (long long)heads, percentile(fwd, 0.5), percentile(heatmapMs, 0.5),
                        percentile(overheadMs, 0.5));
            std::fflush(stdout);
        }
    }
    return 0;
}

}  // namespace needlescope::bench
