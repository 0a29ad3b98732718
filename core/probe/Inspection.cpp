#include "core/probe/Inspection.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <list>
#include <map>
#include <utility>

#include "core/data/Tokenizer.h"
#include "core/probe/Buckets.h"
#include "core/probe/Haystack.h"
#include "core/probe/Probe.h"
#include "core/probe/ProbeReport.h"
#include "core/probe/PromptBuilder.h"
#include "core/probe/Retrieval.h"
#include "core/train/Checkpoint.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::string withoutLeadingSpace(const std::string& text) { return trimmed(text); }

// A custom needle split like the generator's (lead, " answer", tail), each part encoded on its own so
// the answer's tokens are exact by construction.
struct CustomNeedle {
    std::vector<int32_t> lead, answer, tail;
    std::string text, answerText;
    std::string question;  // the cloze question that asks for its answer (questionForNeedle)
    int64_t size() const { return int64_t(lead.size() + answer.size() + tail.size()); }
};

CustomNeedle encodeCustomNeedle(const Tokenizer& tokenizer, const std::string& needleText,
                                const std::string& answerText) {
    const std::string body = trimmed(needleText);
    if (body.empty()) throw Error("the needle text is empty");
    const std::string sentence = " " + body;  // every part starts before a space, as the generator's do
    size_t pos = std::string::npos, len = 0;
    const std::string wanted = trimmed(answerText);
    if (!wanted.empty()) {
        pos = sentence.rfind(wanted);
        if (pos == std::string::npos)
            throw Error("the answer \"" + wanted + "\" does not occur in the needle \"" + body + "\"");
        len = wanted.size();
    } else {
        // The last run of digits is the answer.
        size_t end = sentence.size();
        while (end > 0 && !std::isdigit(static_cast<unsigned char>(sentence[end - 1]))) --end;
        if (end == 0)
            throw Error("the needle \"" + body +
                        "\" holds no number; give the answer text it should retrieve");
        size_t begin = end;
        while (begin > 0 && std::isdigit(static_cast<unsigned char>(sentence[begin - 1]))) --begin;
        pos = begin;
        len = end - begin;
    }
    size_t a = pos;
    while (a > 0 && sentence[a - 1] == ' ') --a;  // " 4812337": the space before the answer goes with it
    CustomNeedle out;
    out.text = body;
    out.answerText = sentence.substr(pos, len);
    out.question = questionForNeedle(sentence, pos);
    const std::string lead = sentence.substr(0, a), answer = sentence.substr(a, pos + len - a),
                      tail = sentence.substr(pos + len);
    if (!lead.empty()) out.lead = tokenizer.encode(lead);
    out.answer = tokenizer.encode(answer);
    if (!tail.empty()) out.tail = tokenizer.encode(tail);
    if (out.answer.empty()) throw Error("the answer encodes to no tokens");
    return out;
}

struct TextSource {
    std::string tokenizerModel, dataRoot;
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<Haystack> haystack;
    std::unique_ptr<NeedleProbe> probe;  // owns the prompt builder
    std::vector<std::string> pieces;     // per vocabulary id, decoded on first use
    std::vector<bool> decoded;

    const std::string& piece(int32_t id) {
        if (id < 0 || size_t(id) >= pieces.size()) {  // a model vocabulary larger than the tokenizer's
            static const std::string unknown = "\xEF\xBF\xBD";  // U+FFFD
            return unknown;
        }
        if (!decoded[size_t(id)]) {
            pieces[size_t(id)] = tokenizer->decode({id});
            decoded[size_t(id)] = true;
        }
        return pieces[size_t(id)];
    }
};

struct LoadedModel {
    std::string path;
    std::filesystem::file_time_type stamp;
    Decoder model{nullptr};
};

std::filesystem::file_time_type stampOf(const std::string& path) {
    std::error_code ec;
    auto t = std::filesystem::last_write_time(path, ec);
    return ec ? std::filesystem::file_time_type{} : t;
}

void copyMaps(const torch::Tensor& maps, int64_t cols, float* out) {
    // maps: [1, H, R, L] (L ≥ cols) → out [H, R, cols], one row at a time (no intermediate tensor).
    const torch::Tensor m = maps.scalar_type() == torch::kFloat32 ? maps : maps.to(torch::kFloat32);
    const int64_t H = m.size(1), R = m.size(2);
    const auto s = m.strides();
    const float* base = m.data_ptr<float>();
    if (s[3] != 1) {  // not row-contiguous (never for the capture's own tensors): go through a copy
        const torch::Tensor c = m[0].narrow(2, 0, cols).contiguous();
        std::memcpy(out, c.data_ptr<float>(), size_t(c.numel()) * sizeof(float));
        return;
    }
    for (int64_t h = 0; h < H; ++h)
        for (int64_t r = 0; r < R; ++r)
            std::memcpy(out + (h * R + r) * cols, base + h * s[1] + r * s[2], size_t(cols) * sizeof(float));
}

}  // namespace

const std::vector<float>& InspectionResult::maps(MapKind which) const {
    return which == MapKind::A1 ? a1 : which == MapKind::A2 ? a2 : effective;
}

const float* InspectionResult::map(MapKind which, int64_t layer, int64_t head) const {
    const auto& m = maps(which);
    if (layer < 0 || head < 0 || layer >= layers || head >= heads) return nullptr;
    const size_t at = size_t((layer * heads + head) * rows * cols);
    if (m.size() < at + size_t(rows * cols) || rows * cols == 0) return nullptr;
    return m.data() + at;
}

const float* InspectionResult::row(MapKind which, int64_t layer, int64_t head, int64_t rowIndex) const {
    const float* m = map(which, layer, head);
    if (!m || rowIndex < 0 || rowIndex >= rows) return nullptr;
    return m + rowIndex * cols;
}

int64_t InspectionResult::rowIndexOf(int64_t position) const {
    const auto it = std::lower_bound(rowPositions.begin(), rowPositions.end(), position);
    return it != rowPositions.end() && *it == position ? int64_t(it - rowPositions.begin()) : -1;
}

struct InspectionSession::Impl {
    size_t modelCache = 4;
    std::map<std::string, int64_t> shortest;  // shortestContext by request (texts, needles, sample …)

    // The shortest context from which every longer one up to `maxPrompt` holds the prompt of `spec`
    // (maxPrompt + 1 when even maxPrompt does not).
    int64_t shortestContext(const PromptBuilder& builder, PromptSpec spec, int64_t maxPrompt,
                            const std::string& tokenizerModel) {
        std::string key = tokenizerModel + '\n' + std::to_string(maxPrompt) + '\n' +
                          std::to_string(spec.needles) + '\n' + std::to_string(spec.seed) + '\n' +
                          std::to_string(spec.sample) + '\n' +
                          (spec.customNeedle ? spec.customNeedle->sentence : std::string("-")) + '\n';
        if (spec.customQuestion)
            for (int32_t id : *spec.customQuestion) key += std::to_string(id) + ',';
        if (const auto it = shortest.find(key); it != shortest.end()) return it->second;
        int64_t x = maxPrompt + 1;
        const int64_t floor = builder.leastNeeds(spec).total();
        for (int64_t c = maxPrompt; c >= std::max<int64_t>(2, floor); --c) {
            spec.contextLength = c;
            if (builder.needs(spec).total() > c) break;
            x = c;
        }
        if (shortest.size() > 256) shortest.clear();
        shortest.emplace(key, x);
        return x;
    }

    std::list<LoadedModel> models;  // most recently used first
    std::list<TextSource> texts;    // most recently used first (at most 2)

    DecoderImpl& model(const std::string& path, double& loadMs) {
        if (path.empty()) throw Error("no checkpoint chosen");
        const auto stamp = stampOf(path);
        for (auto it = models.begin(); it != models.end(); ++it)
            if (it->path == path && it->stamp == stamp) {
                models.splice(models.begin(), models, it);
                return *models.front().model;
            }
        const auto start = Clock::now();
        LoadedModel loaded{path, stamp, loadModel(path)};
        loaded.model->eval();
        loadMs += msSince(start);
        models.push_front(std::move(loaded));
        while (models.size() > std::max<size_t>(1, modelCache)) models.pop_back();
        return *models.front().model;
    }

    TextSource& text(const std::string& tokenizerModel, const std::string& dataRoot, double& loadMs) {
        if (tokenizerModel.empty()) throw Error("the run records no tokenizer model");
        if (dataRoot.empty()) throw Error("no corpus folder for the haystack");
        for (auto it = texts.begin(); it != texts.end(); ++it)
            if (it->tokenizerModel == tokenizerModel && it->dataRoot == dataRoot) {
                texts.splice(texts.begin(), texts, it);
                return texts.front();
            }
        const auto start = Clock::now();
        TextSource source;
        source.tokenizerModel = tokenizerModel;
        source.dataRoot = dataRoot;
        source.tokenizer = std::make_unique<Tokenizer>(Tokenizer::load(tokenizerModel));
        source.haystack =
            std::make_unique<Haystack>(Haystack::fromCorpus(dataRoot, *source.tokenizer, Split::Valid));
        source.probe = std::make_unique<NeedleProbe>(*source.tokenizer, *source.haystack);
        source.pieces.assign(size_t(source.tokenizer->vocabSize()), {});
        source.decoded.assign(size_t(source.tokenizer->vocabSize()), false);
        loadMs += msSince(start);
        texts.push_front(std::move(source));
        while (texts.size() > 2) texts.pop_back();
        return texts.front();
    }
};

InspectionSession::InspectionSession() : impl_(std::make_unique<Impl>()) {}
InspectionSession::~InspectionSession() = default;

void InspectionSession::setModelCacheSize(size_t models) {
    impl_->modelCache = std::max<size_t>(1, models);
    while (impl_->models.size() > impl_->modelCache) impl_->models.pop_back();
}

void InspectionSession::clear() {
    impl_->models.clear();
    impl_->texts.clear();
}

InspectionResult InspectionSession::inspect(const InspectionRequest& request) {
    InspectionResult result;
    requireDepth(request.depth);
    DecoderImpl& model = impl_->model(request.checkpointPath, result.loadMs);
    TextSource& source = impl_->text(request.tokenizerModel, request.dataRoot, result.loadMs);
    const auto start = Clock::now();
    const ModelConfig& config = model.config();
    if (config.vocabSize < source.tokenizer->vocabSize())
        throw Error("the checkpoint's vocabulary (" + std::to_string(config.vocabSize) +
                    ") is smaller than the tokenizer's (" + std::to_string(source.tokenizer->vocabSize()) +
                    ")");

    const Tokenizer& tokenizer = *source.tokenizer;
    const NeedleProbe& probe = *source.probe;
    const PromptBuilder& builder = probe.builder();
    const bool customNeedle = !trimmed(request.needle).empty();
    const bool customQuestion = !trimmed(request.question).empty();
    std::optional<CustomNeedle> needle;
    std::optional<std::vector<int32_t>> question;
    if (customNeedle) needle = encodeCustomNeedle(tokenizer, request.needle, request.answer);
    if (customQuestion)
        question = tokenizer.encode(" " + trimmed(request.question));
    else if (needle && needle->question.empty())
        throw Error("the needle \"" + needle->text +
                    "\" starts with its answer, so no question can be made from it: type the question");
    else if (needle)
        question = tokenizer.encode(needle->question);  // an edited needle is asked about, never another
    if (request.contextLength < 0) throw Error("context length must be positive");

    // The context: the probe's own rule (room for the answer the retrieval check appends).
    const int64_t answerTokens = needle ? int64_t(needle->answer.size()) : probe.maxAnswerTokens();
    const int64_t room = answerTokens - 1;
    const int64_t maxPrompt = config.maxContext - room;
    const int64_t T = request.contextLength > 0 ? request.contextLength : maxPrompt;

    PromptSpec spec;
    spec.contextLength = T;
    spec.depth = request.depth;
    spec.needles = request.needles;
    spec.seed = request.seed;
    spec.sample = request.sample;
    if (needle) spec.customNeedle = NeedleParts{needle->lead, needle->answer, needle->tail, needle->text};
    spec.customQuestion = question;

    // A model too short for even one needle (with the shortest city and number): no context can help.
    PromptSpec one = spec;
    one.needles = 1;
    const int64_t least = builder.leastNeeds(one).total();
    if (least > maxPrompt)
        throw ContextTooShortError(
            config.maxContext, least + room,
            "this model's context of " + std::to_string(config.maxContext) +
                " tokens is too short for the needle task: one needle, its question and the first token "
                "take at least " +
                std::to_string(least) + " tokens and the retrieval check appends " + std::to_string(room) +
                " answer tokens (" + std::to_string(least + room) +
                " in all). Inspect a run trained with a maximum context of at least " +
                std::to_string(least + room) + " tokens" +
                (least + room <= 128 ? " (the quick preset uses 128)." : "."));
    if (T > config.maxContext)
        throw Error("a context of " + std::to_string(T) + " tokens is longer than the model's maximum of " +
                    std::to_string(config.maxContext) + " tokens; use a context of at most " +
                    std::to_string(maxPrompt));
    if (T > maxPrompt)
        throw Error("a context of " + std::to_string(T) + " tokens leaves no room for the " +
                    std::to_string(room) + " answer tokens the retrieval check appends (model maximum " +
                    std::to_string(config.maxContext) + "); use a context of at most " +
                    std::to_string(maxPrompt));
    // The texts drawn depend on the context, so the shortest context is found by trying each one.
    const int64_t minPrompt = impl_->shortestContext(builder, spec, maxPrompt, request.tokenizerModel);
    if (minPrompt > maxPrompt) {
        PromptSpec longest = spec;
        longest.contextLength = maxPrompt;
        int fit = 0;
        for (PromptSpec fewer = longest; fewer.needles >= 1 && fit == 0; --fewer.needles)
            if (builder.needs(fewer).total() <= maxPrompt) fit = fewer.needles;
        throw Error(builder.needs(longest).describe() + ", more than the " + std::to_string(maxPrompt) +
                    " prompt tokens this model holds (its maximum context of " +
                    std::to_string(config.maxContext) + " less " + std::to_string(room) +
                    " for the answer): " +
                    (fit > 0 ? "use at most " + std::to_string(fit) + (fit == 1 ? " needle" : " needles")
                             : std::string("use fewer needles or another sample")));
    }
    const PromptNeeds needs = builder.needs(spec);
    if (needs.total() > T)
        throw Error(needs.describe() + ", more than the context of " + std::to_string(T) +
                    " tokens: use a context of at least " + std::to_string(minPrompt) + " tokens" +
                    (spec.needles > 1 ? " or fewer needles" : ""));

    const Prompt prompt = builder.build(spec);
    if (T + int64_t(prompt.answerTokens.size()) - 1 > config.maxContext)
        throw Error("the prompt and its answer do not fit the model's context of " +
                    std::to_string(config.maxContext));

    // Model facts.
    result.kind = kindName(config.kind);
    result.diff = config.kind == ModelKind::Diff || config.kind == ModelKind::Diff2;
    result.diff2 = config.kind == ModelKind::Diff2;
    result.layers = config.nLayers;
    result.heads = config.attentionHeads();
    result.maxContext = config.maxContext;
    result.maxPromptLength = maxPrompt;
    result.minPromptLength = minPrompt;  // this sample fits every context from here to maxPrompt

    // Prompt facts.
    result.tokens = prompt.tokens;
    result.pieces.reserve(prompt.tokens.size());
    for (int32_t id : prompt.tokens) result.pieces.push_back(source.piece(id));
    result.sink = prompt.sink;
    result.needle = prompt.needle;
    result.answer = prompt.answer;
    result.question = prompt.question;
    result.distractors = prompt.distractors;
    result.generatedNeedle = withoutLeadingSpace(needleTexts(prompt.target).sentence());
    result.generatedQuestion = withoutLeadingSpace(questionText(prompt.target.city));
    result.needleText = needle ? needle->text : result.generatedNeedle;
    result.answerText = needle ? needle->answerText : prompt.target.number;
    result.questionText = customQuestion ? trimmed(request.question)
                          : needle       ? withoutLeadingSpace(needle->question)
                                         : result.generatedQuestion;
    result.custom = customNeedle || customQuestion;
    result.depth = request.depth;
    result.placedDepth = prompt.placedDepth;
    result.contextLength = T;
    result.queryRow = T - 1;

    // Heatmap rows (sorted, unique, always holding the query row).
    std::vector<int64_t> rows;
    if (!request.allRows) {
        rows.push_back(T - 1);
    } else if (T <= std::max<int64_t>(1, request.fullRowsUpTo)) {
        for (int64_t r = 0; r < T; ++r) rows.push_back(r);
    } else {
        const int64_t from = std::min(T - std::max<int64_t>(1, request.tailRows), prompt.question.begin);
        for (int64_t r = std::max<int64_t>(0, from); r < T; ++r) rows.push_back(r);
    }
    result.rowPositions = rows;
    result.rows = int64_t(rows.size());
    result.cols = T;
    result.queryRowIndex = result.rows - 1;

    // The probe's own placement: one forward over prompt + answer[0 .. n−2] on the model's device, the maps
    // of the chosen rows, the query row's buckets and the retrieval check.
    result.promptMs = msSince(start);
    PlacementOptions options;
    options.mapRows = rows;
    const PlacementResult placement = probePlacement(model, prompt, options);
    result.forwardMs = placement.forwardMs;
    const AttentionCapture& capture = placement.capture;
    const int64_t L = int64_t(capture.layers.size()), H = result.heads, R = result.rows;
    const size_t perLayer = size_t(H * R * T);
    result.effective.resize(size_t(L) * perLayer);
    const bool components = result.diff && request.components;
    if (components) {
        result.a1.resize(result.effective.size());
        result.a2.resize(result.effective.size());
    }
    for (int64_t l = 0; l < L; ++l) {
        const LayerAttention& layer = capture.layers[size_t(l)];
        if (layer.effective.size(1) != H)
            throw Error("internal error: captured head count differs from the config");
        copyMaps(layer.effective, T, result.effective.data() + size_t(l) * perLayer);
        if (components) {
            copyMaps(layer.a1, T, result.a1.data() + size_t(l) * perLayer);
            copyMaps(layer.a2, T, result.a2.data() + size_t(l) * perLayer);
        }
        if (result.diff) result.lambdaInits.push_back(layer.lambdaInit);
        if (result.diff2) {
            if (!layer.lambdaPerToken.defined() || layer.lambdaPerToken.size(1) != H)
                throw Error("internal error: a DIFF V2 capture lacks its per-token lambda");
            auto lam = layer.lambdaPerToken[0].to(torch::kFloat32).contiguous();  // [H, R]
            result.lambdaTokens.insert(result.lambdaTokens.end(), lam.data_ptr<float>(),
                                       lam.data_ptr<float>() + H * R);
        }
    }
    result.lambdas = placement.lambdas;

    // Buckets of the query row per head and their means.
    for (const HeadBuckets& h : placement.heads) result.perHead.push_back(h.buckets);
    result.mean = placement.mean;
    result.perLayer = placement.perLayer;

    // Retrieval: what greedy decoding produces after the question.
    const RetrievalResult& retrieval = placement.retrieval;
    result.hit = retrieval.hit;
    result.greedyTokens = retrieval.generated;
    for (int32_t id : retrieval.generated) result.greedyPieces.push_back(source.piece(id));
    const bool inVocabulary = std::all_of(retrieval.generated.begin(), retrieval.generated.end(),
                                          [&](int32_t id) { return id >= 0 && id < tokenizer.vocabSize(); });
    if (inVocabulary)
        result.greedyText = tokenizer.decode(retrieval.generated);
    else
        for (int32_t id : retrieval.generated) result.greedyText += source.piece(id);
    result.computeMs = msSince(start);
    return result;
}

std::optional<ProbeCurve> probeCurve(const std::vector<ProbeRow>& rows, std::optional<int64_t> step,
                                     Normalisation norm) {
    if (rows.empty()) return std::nullopt;
    ProbeSelection selection;
    selection.step = step;
    ProbeSummary summary;
    try {
        summary = selectAndSummarize(rows, selection);
    } catch (const Error&) {
        return std::nullopt;
    }
    ProbeCurve curve;
    curve.step = summary.step;
    curve.contextLength = summary.contextLength;
    for (const DepthSummary& d : summary.depths) {
        const NormSummary& n = summary.norm(d, norm);
        DepthPoint p;
        p.depth = d.depth;
        p.answerMean = n.answer.mean;
        p.answerStd = n.answer.std;
        p.noiseMean = n.noise.mean;
        p.noiseStd = n.noise.std;
        p.accuracy = d.accuracy;
        p.samples = d.samples;
        curve.points.push_back(p);
    }
    return curve;
}

}  // namespace needlescope
