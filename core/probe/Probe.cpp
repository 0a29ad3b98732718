#include "core/probe/Probe.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kFields = 13;  // 3 normalisations × 4 buckets + signed total

using Fields = std::array<double, kFields>;

void put(Fields& f, int at, const BucketValues& b) {
    f[size_t(at)] = b.sink;
    f[size_t(at + 1)] = b.answer;
    f[size_t(at + 2)] = b.noise;
    f[size_t(at + 3)] = b.query;
}

BucketValues take(const Fields& f, int at) {
    return {f[size_t(at)], f[size_t(at + 1)], f[size_t(at + 2)], f[size_t(at + 3)]};
}

Fields fieldsOf(const BucketValues& s, const BucketValues& a, const BucketValues& r, double total) {
    Fields f{};
    put(f, 0, s);
    put(f, 4, a);
    put(f, 8, r);
    f[12] = total;
    return f;
}

struct Entry {
    int64_t layer;
    Fields fields;
    bool flagged;
};

// Mean over heads within each layer, then over layers, skipping NaN per field.
BucketMeans meanOf(const std::vector<Entry>& entries) {
    std::map<int64_t, std::pair<Fields, std::array<int, kFields>>> layers;
    BucketMeans out;
    for (const Entry& e : entries) {
        auto& [sum, count] = layers[e.layer];
        for (int i = 0; i < kFields; ++i)
            if (!std::isnan(e.fields[size_t(i)])) {
                sum[size_t(i)] += e.fields[size_t(i)];
                ++count[size_t(i)];
            }
        ++out.rows;
        if (e.flagged) ++out.flaggedRows;
    }
    Fields total{};
    std::array<int, kFields> n{};
    for (const auto& [layer, sc] : layers) {
        (void)layer;
        for (int i = 0; i < kFields; ++i)
            if (sc.second[size_t(i)] > 0) {
                total[size_t(i)] += sc.first[size_t(i)] / sc.second[size_t(i)];
                ++n[size_t(i)];
            }
    }
    for (int i = 0; i < kFields; ++i)
        total[size_t(i)] = n[size_t(i)] > 0 ? total[size_t(i)] / n[size_t(i)] : kNaN;
    out.signedNorm = take(total, 0);
    out.absolute = take(total, 4);
    out.raw = take(total, 8);
    out.signedTotal = total[12];
    return out;
}

}  // namespace

std::string toString(QueryMode mode) { return mode == QueryMode::LastToken ? "last" : "question"; }

QueryMode queryModeFromString(const std::string& text) {
    if (text == "last") return QueryMode::LastToken;
    if (text == "question") return QueryMode::QuestionMean;
    throw Error("query row must be 'last' or 'question', got '" + text + "'");
}

std::string toString(AnswerSpanMode mode) { return mode == AnswerSpanMode::Number ? "number" : "needle"; }

AnswerSpanMode answerSpanFromString(const std::string& text) {
    if (text == "number") return AnswerSpanMode::Number;
    if (text == "needle") return AnswerSpanMode::WholeNeedle;
    throw Error("answer span must be 'number' or 'needle', got '" + text + "'");
}

BucketMeans meanOverHeadsThenLayers(const std::vector<HeadBuckets>& heads) {
    std::vector<Entry> entries;
    for (const auto& h : heads)
        entries.push_back(
            {h.layer,
             fieldsOf(h.buckets.signedNorm, h.buckets.absolute, h.buckets.raw, h.buckets.signedTotal),
             h.buckets.flagged});
    return meanOf(entries);
}

BucketMeans meanOverHeadsThenLayers(const std::vector<ProbeRow>& rows) {
    std::vector<Entry> entries;
    for (const auto& r : rows)
        entries.push_back({r.layer, fieldsOf(r.signedNorm, r.absolute, r.raw, r.signedTotal),
                           std::isnan(r.signedNorm.answer)});
    return meanOf(entries);
}

NeedleProbe::NeedleProbe(const Tokenizer& tokenizer, const Haystack& haystack)
    : tokenizer_(tokenizer), builder_(tokenizer, haystack) {
    for (int d = 1; d <= 9; ++d)
        maxAnswerTokens_ = std::max<int64_t>(
            maxAnswerTokens_, int64_t(tokenizer.encode(" " + std::to_string(d * 1000000)).size()));
}

int64_t NeedleProbe::resolveContext(const ProbeOptions& options, const ModelConfig& model) const {
    if (options.depths.empty()) throw Error("give at least one needle depth");
    for (double d : options.depths) requireDepth(d);
    if (options.samples < 1)
        throw Error("samples must be at least 1, got " + std::to_string(options.samples));
    if (options.needles < 1)
        throw Error("needles must be at least 1, got " + std::to_string(options.needles));
    const int64_t room = maxAnswerTokens_ - 1;  // answer tokens fed back for the retrieval check
    const int64_t maxPrompt = model.maxContext - room;
    const int64_t T = options.contextLength > 0 ? options.contextLength : maxPrompt;
    if (options.contextLength < 0) throw Error("context length must be positive");
    if (T > model.maxContext)
        throw Error("a context of " + std::to_string(T) + " tokens is longer than the model's maximum of " +
                    std::to_string(model.maxContext) + " tokens");
    if (T > maxPrompt)
        throw Error("a context of " + std::to_string(T) + " tokens leaves no room for the " +
                    std::to_string(room) + " answer tokens the retrieval check appends (model maximum " +
                    std::to_string(model.maxContext) + "); use a context of at most " +
                    std::to_string(maxPrompt));
    // Builds one prompt so a needle longer than the context fails here, with the builder's message.
    PromptSpec spec;
    spec.contextLength = T;
    spec.depth = options.depths.front();
    spec.needles = options.needles;
    spec.seed = options.seed;
    builder_.build(spec);
    return T;
}

std::vector<Prompt> NeedleProbe::prompts(const ProbeOptions& options, int64_t contextLength) const {
    std::vector<Prompt> out;
    for (double depth : options.depths)
        for (int64_t s = 0; s < options.samples; ++s) {
            PromptSpec spec;
            spec.contextLength = contextLength;
            spec.depth = depth;
            spec.needles = options.needles;
            spec.seed = options.seed;
            spec.sample = s;
            out.push_back(builder_.build(spec));
        }
    return out;
}

PlacementResult probePlacement(DecoderImpl& model, const Prompt& prompt, const PlacementOptions& options) {
    const int64_t T = int64_t(prompt.tokens.size());
    std::vector<int64_t> queryRows;
    if (options.query == QueryMode::LastToken)
        queryRows.push_back(T - 1);
    else
        for (int64_t p = prompt.question.begin; p < prompt.question.end; ++p) queryRows.push_back(p);
    std::vector<int64_t> rows = queryRows;
    rows.insert(rows.end(), options.mapRows.begin(), options.mapRows.end());
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::vector<int64_t> queryAt;  // indices of the query rows among the captured rows
    for (int64_t r : queryRows)
        queryAt.push_back(int64_t(std::lower_bound(rows.begin(), rows.end(), r) - rows.begin()));

    const torch::Tensor input = probeInput(prompt.tokens, prompt.answerTokens).to(model.device());  // [1, L]
    const auto forwardStart = std::chrono::steady_clock::now();
    // Logits from the last prompt position on: all the retrieval check reads.
    AttentionCapture capture = model.capture(input, rows, T - 1);
    PlacementResult result;
    result.forwardMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - forwardStart).count();

    result.prompt = prompt;
    result.layers = int64_t(capture.layers.size());
    BucketSpans spans;
    spans.sink = prompt.sink;
    spans.answer = options.answerSpan == AnswerSpanMode::Number ? prompt.answer : prompt.needle;
    spans.query = prompt.question;
    spans.contextLength = T;
    const torch::Tensor queryIndex = torch::tensor(queryAt, torch::kInt64);  // [Q]
    for (int64_t l = 0; l < result.layers; ++l) {
        const LayerAttention& layer = capture.layers[size_t(l)];
        torch::Tensor maps = layer.effective[0].index_select(1, queryIndex);  // [H, Q, L]
        if (maps.size(1) > 1)
            maps = maps.mean(1);  // [H, L]
        else
            maps = maps.select(1, 0);                  // [H, L]
        maps = maps.to(torch::kFloat32).contiguous();  // [H, L]
        const int64_t H = maps.size(0), L = maps.size(1);
        result.headsPerLayer = H;
        if (model.config().kind == ModelKind::Diff) result.lambdas.push_back(layer.lambda);
        if (model.config().kind == ModelKind::Diff2)  // λ of the query row(s), mean over heads
            result.lambdas.push_back(
                layer.lambdaPerToken[0].index_select(1, queryIndex).mean().item<double>());
        const float* data = maps.data_ptr<float>();
        for (int64_t h = 0; h < H; ++h)
            result.heads.push_back({l, h, computeBuckets(data + h * L, L, spans)});
    }
    result.retrieval = scoreTeacherForced(capture.logits, 1, prompt.answerTokens);  // logits start at T − 1
    result.mean = meanOverHeadsThenLayers(result.heads);
    for (int64_t l = 0; l < result.layers; ++l) {
        std::vector<HeadBuckets> one(result.heads.begin() + l * result.headsPerLayer,
                                     result.heads.begin() + (l + 1) * result.headsPerLayer);
        result.perLayer.push_back(meanOverHeadsThenLayers(one));
    }
    if (!options.mapRows.empty()) result.capture = std::move(capture);
    return result;
}

ProbeResult NeedleProbe::run(DecoderImpl& model, const ProbeOptions& options, int64_t runId, int64_t step,
                             const std::function<void(int64_t, int64_t)>& progress) const {
    ProbeResult result;
    result.contextLength = resolveContext(options, model.config());
    const std::vector<Prompt> all = prompts(options, result.contextLength);
    int64_t done = 0;
    for (const Prompt& prompt : all) {
        PlacementOptions placementOptions;
        placementOptions.query = options.query;
        placementOptions.answerSpan = options.answerSpan;
        PlacementResult placement = probePlacement(model, prompt, placementOptions);
        for (const HeadBuckets& h : placement.heads) {
            ProbeRow row;
            row.runId = runId;
            row.step = step;
            row.depth = prompt.depth;
            row.contextLength = result.contextLength;
            row.needles = options.needles;
            row.sample = prompt.sample;
            row.layer = h.layer;
            row.head = h.head;
            row.signedNorm = h.buckets.signedNorm;
            row.absolute = h.buckets.absolute;
            row.raw = h.buckets.raw;
            row.signedTotal = h.buckets.signedTotal;
            row.hit = placement.retrieval.hit;
            row.query = toString(options.query);
            row.answerSpan = toString(options.answerSpan);
            row.probeSeed = int64_t(options.seed);
            row.placedDepth = prompt.placedDepth;
            result.rows.push_back(row);
        }
        result.placements.push_back(std::move(placement));
        if (progress) progress(++done, int64_t(all.size()));
    }
    std::map<std::pair<int64_t, int64_t>, std::vector<double>> byPosition;  // (sample, needle start) → depths
    for (const PlacementResult& p : result.placements)
        byPosition[{p.prompt.sample, p.prompt.needle.begin}].push_back(p.prompt.depth);
    for (const auto& [key, depths] : byPosition)
        if (depths.size() > 1) {
            std::ostringstream line;
            line << "sample " << key.first << ": depths";
            for (size_t i = 0; i < depths.size(); ++i)
                line << (i ? (i + 1 == depths.size() ? " and " : ", ") : " ") << depths[i] << " %";
            line << " put the needle at the same position (token " << key.second << ")";
            result.warnings.push_back(line.str());
        }
    return result;
}

}  // namespace needlescope
