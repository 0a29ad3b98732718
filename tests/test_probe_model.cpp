// The needle probe on a tiny trained paired run: one stored row per (depth, sample, layer, head), the
// aggregate equals the mean of the stored rows (recomputed here), the same prompts for both models, the
// captured row is the real causal row, retrieval scoring matches greedy decoding, clear errors, and the
// training-time hooks (probe every M steps, retrieval curriculum) work inside an Experiment.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/probe/Curriculum.h"
#include "core/probe/Haystack.h"
#include "core/probe/Probe.h"
#include "core/probe/ProbeReport.h"
#include "core/probe/TrainingProbe.h"
#include "core/store/RunStore.h"
#include "core/train/Checkpoint.h"
#include "core/util/Error.h"
#include "test_probe_support.h"

using namespace needlescope;

class TestProbeModel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    probetest::TinyRun run_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::unique_ptr<Haystack> haystack_;
    std::vector<Decoder> models_;  // standard, diff (final checkpoints)
    std::vector<std::string> probeLog_;

    QString message(const std::function<void()>& body) {
        try {
            body();
        } catch (const Error& e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        TrainConfig config = probetest::tinyConfig(128);
        config.curriculumFraction = 0.5;  // the retrieval curriculum inside a real Experiment
        config.probeEvery = 15;           // training-time probes at steps 15 and 30
        config.probeSamples = 1;
        TrainingProbeSettings settings;
        settings.dbPath = QDir(dir_.path()).filePath("runs.db").toStdString();
        settings.options.depths = {0, 100};
        auto hooks =
            makeTrainingProbeHooks(settings, [this](const std::string& line) { probeLog_.push_back(line); });
        if (!testsupport::makeSmallCorpus(QDir(dir_.path()).filePath("corpus")))
            QSKIP("shared WikiText data not found");
        run_ = probetest::trainTiny(dir_.path(), config, hooks);
        QCOMPARE(run_.status, RunStatus::Finished);
        QCOMPARE(run_.runIds.size(), size_t(2));

        RunStore store = RunStore::open(run_.db.toStdString(), true);
        const auto cfg = nlohmann::json::parse(store.run(run_.runIds[0]).configJson);
        tokenizer_ =
            std::make_unique<Tokenizer>(Tokenizer::load(cfg.at("tokenizer_model").get<std::string>()));
        haystack_ = std::make_unique<Haystack>(Haystack::fromCorpus(run_.corpus.toStdString(), *tokenizer_));
        for (int64_t id : run_.runIds) models_.push_back(loadModel(store.checkpoints(id).back().path));
        QCOMPARE(models_[0]->config().kind, ModelKind::Standard);
        QCOMPARE(models_[1]->config().kind, ModelKind::Diff);
    }

    void trainingProbeStoredRowsEveryMSteps() {
        RunStore store = RunStore::open(run_.db.toStdString(), true);
        for (size_t i = 0; i < 2; ++i) {
            const auto steps = store.probeSteps(run_.runIds[i]);
            QCOMPARE(steps, (std::vector<int64_t>{15, 30}));
            const int64_t heads = models_[i]->config().attentionHeads() * models_[i]->config().nLayers;
            QCOMPARE(int64_t(store.probeRows(run_.runIds[i], 15).size()),
                     2 * 1 * heads);  // 2 depths × 1 sample
        }
        QCOMPARE(probeLog_.size(), size_t(4));
        for (const auto& line : probeLog_) QVERIFY2(line.find("probe run") == 0, line.c_str());
    }

    void probeStoresOneRowPerDepthSampleLayerHead() {
        NeedleProbe probe(*tokenizer_, *haystack_);
        ProbeOptions options;
        options.samples = 3;
        options.seed = 5;
        RunStore store = RunStore::open(run_.db.toStdString());
        std::vector<ProbeResult> results;
        for (size_t i = 0; i < 2; ++i) {
            const int64_t step = 1000;  // a step of its own, apart from the training-time probes
            results.push_back(probe.run(*models_[i], options, run_.runIds[i], step));
            store.addProbeRows(results.back().rows);
            const auto& c = models_[i]->config();
            const auto rows = store.probeRows(run_.runIds[i], step);
            QCOMPARE(int64_t(rows.size()),
                     int64_t(options.depths.size()) * options.samples * c.nLayers * c.attentionHeads());
            std::set<std::tuple<double, int64_t, int64_t, int64_t>> keys;
            for (const auto& r : rows) keys.insert({r.depth, r.sample, r.layer, r.head});
            QCOMPARE(keys.size(), rows.size());

            // The aggregate: per sample the mean over heads, then layers; per depth the mean over samples.
            // Recomputed here from the stored rows, independently of the report code.
            const ProbeSummary summary = selectAndSummarize(rows, {});
            QCOMPARE(summary.depths.size(), options.depths.size());
            for (const DepthSummary& d : summary.depths) {
                std::map<int64_t, std::map<int64_t, std::vector<const ProbeRow*>>>
                    bySample;  // sample → layer → rows
                int hits = 0;
                std::set<int64_t> hitSamples;
                for (const auto& r : rows)
                    if (r.depth == d.depth) {
                        bySample[r.sample][r.layer].push_back(&r);
                        if (r.hit) hitSamples.insert(r.sample);
                    }
                hits = int(hitSamples.size());
                QCOMPARE(int64_t(bySample.size()), options.samples);
                auto expect = [&](auto field) {
                    double total = 0;
                    int n = 0;
                    for (const auto& [sample, layers] : bySample) {
                        double layerSum = 0;
                        int layerCount = 0;
                        for (const auto& [layer, lr] : layers) {
                            double s = 0;
                            int k = 0;
                            for (const ProbeRow* r : lr)
                                if (!std::isnan(field(*r))) s += field(*r), ++k;
                            if (k) layerSum += s / k, ++layerCount;
                        }
                        if (layerCount) total += layerSum / layerCount, ++n;
                    }
                    return n ? total / n : std::nan("");
                };
                auto close = [](double a, double b) {
                    return (std::isnan(a) && std::isnan(b)) || std::fabs(a - b) < 1e-12;
                };
                QVERIFY(close(d.signedNorm.answer.mean,
                              expect([](const ProbeRow& r) { return r.signedNorm.answer; })));
                QVERIFY(close(d.signedNorm.noise.mean,
                              expect([](const ProbeRow& r) { return r.signedNorm.noise; })));
                QVERIFY(close(d.absolute.answer.mean,
                              expect([](const ProbeRow& r) { return r.absolute.answer; })));
                QVERIFY(
                    close(d.absolute.noise.mean, expect([](const ProbeRow& r) { return r.absolute.noise; })));
                QVERIFY(close(d.raw.answer.mean, expect([](const ProbeRow& r) { return r.raw.answer; })));
                QVERIFY(close(d.raw.sink.mean, expect([](const ProbeRow& r) { return r.raw.sink; })));
                QCOMPARE(d.hits, int64_t(hits));
            }
            // Same rule as the store's flat AVG when no row is flagged (equal heads per layer).
            if (summary.flaggedRows() == 0) {
                for (const auto& a : store.probeAggregates(run_.runIds[i]))
                    if (a.step == step)
                        for (const auto& d : summary.depths)
                            if (d.depth == a.depth) {
                                QVERIFY(std::fabs(a.absolute.answer - d.absolute.answer.mean) < 1e-9);
                                QVERIFY(std::fabs(a.signedNorm.noise - d.signedNorm.noise.mean) < 1e-9);
                            }
            }
            // Each placement's own aggregate equals the mean over its stored rows too.
            const PlacementResult& p = results.back().placements.front();
            QCOMPARE(int64_t(p.heads.size()), c.nLayers * c.attentionHeads());
            QVERIFY(std::fabs(p.mean.absolute.answer + p.mean.absolute.noise + p.mean.absolute.sink +
                              p.mean.absolute.query - 1.0) < 1e-5);
        }
        // Same seed → the very same prompts for both models.
        QCOMPARE(results[0].placements.size(), results[1].placements.size());
        for (size_t k = 0; k < results[0].placements.size(); ++k) {
            QCOMPARE(results[0].placements[k].prompt.tokens, results[1].placements[k].prompt.tokens);
            QCOMPARE(results[0].placements[k].prompt.answer.begin,
                     results[1].placements[k].prompt.answer.begin);
        }
        // DIFF rows: raw row totals are 1 − λ of their layer.
        const PlacementResult& diff = results[1].placements.front();
        for (const auto& h : diff.heads)
            QVERIFY(std::fabs(h.buckets.signedTotal - (1.0 - diff.lambdas[size_t(h.layer)])) < 1e-4);
    }

    void capturedRowIsTheCausalRowOfThePrompt() {
        // The probe feeds prompt + answer tokens; the last prompt row must not see them (causal mask), so it
        // equals the row captured on the prompt alone. An inverted mask would break this.
        NeedleProbe probe(*tokenizer_, *haystack_);
        ProbeOptions options;
        options.samples = 1;
        options.depths = {50};
        const Prompt p = probe.prompts(options, 112).front();
        for (auto& model : models_) {
            const int64_t T = int64_t(p.tokens.size());
            auto withAnswer = model->capture(probeInput(p.tokens, p.answerTokens), {T - 1});
            auto alone = model->capture(probeInput(p.tokens, {p.answerTokens[0]}), {T - 1});
            for (size_t l = 0; l < withAnswer.layers.size(); ++l) {
                auto a = withAnswer.layers[l].effective.narrow(-1, 0, T);
                auto b = alone.layers[l].effective;
                QVERIFY(torch::allclose(a, b, 1e-5, 1e-6));
                QVERIFY(withAnswer.layers[l]
                            .effective.narrow(-1, T, p.answerTokens.size() - 1)
                            .abs()
                            .max()
                            .item<double>() == 0.0);
            }
        }
    }

    void captureOfChosenRowsAndLogitTail() {
        // The probe's forward (capture of chosen rows, logits only from the last prompt position on) against
        // independent computations: the full capture's rows and the plain forward's logits.
        NeedleProbe probe(*tokenizer_, *haystack_);
        ProbeOptions options;
        options.samples = 1;
        options.depths = {75};
        const Prompt p = probe.prompts(options, 112).front();
        const int64_t T = int64_t(p.tokens.size());
        const auto input = probeInput(p.tokens, p.answerTokens);  // [1, L]
        const std::vector<int64_t> rows = {p.question.begin, T - 1};
        const auto rowIndex = torch::tensor(rows, torch::kInt64);  // [R]
        for (auto& model : models_) {
            const auto full = model->capture(input);
            const auto mine = model->capture(input, rows, T - 1);
            QCOMPARE(mine.rows, rows);
            QCOMPARE(mine.layers.size(), full.layers.size());
            for (size_t l = 0; l < mine.layers.size(); ++l) {
                const auto expected = full.layers[l].effective.index_select(2, rowIndex);  // [1, H, R, L]
                QCOMPARE(mine.layers[l].effective.sizes(), expected.sizes());
                QVERIFY(torch::allclose(mine.layers[l].effective, expected, 1e-6, 1e-7));
                QCOMPARE(mine.layers[l].lambda, full.layers[l].lambda);
                if (!full.layers[l].a2.defined()) continue;
                const auto a2 = full.layers[l].a2.index_select(2, rowIndex);  // [1, H, R, L]
                QVERIFY(torch::allclose(mine.layers[l].a2, a2, 1e-6, 1e-7));
            }
            torch::NoGradGuard noGrad;
            const auto plain = model->forward(input);                           // [1, L, V]
            const auto tail = plain.narrow(1, T - 1, input.size(1) - (T - 1));  // [1, L − T + 1, V]
            QCOMPARE(mine.logits.sizes(), tail.sizes());
            QVERIFY(torch::allclose(mine.logits, tail, 1e-5, 1e-5));
            // Causal: the logits at the last prompt position do not depend on the answer tokens after it.
            const auto alone = model->capture(probeInput(p.tokens, {p.answerTokens[0]}), {T - 1}, T - 1);
            QVERIFY(torch::allclose(alone.logits.select(1, 0), mine.logits.select(1, 0), 1e-5, 1e-5));
        }
        QVERIFY_THROWS_EXCEPTION(Error, models_[0]->capture(input, {input.size(1)}, T - 1));
        QVERIFY_THROWS_EXCEPTION(Error, models_[0]->capture(input, {T - 1}, input.size(1)));
        QVERIFY_THROWS_EXCEPTION(Error, models_[0]->capture(input, {T - 1}, -1));
    }

    void placementOfMapRowsKeepsTheQueryBuckets() {
        // Extra map rows are captured in the same forward; the buckets still come from the query row alone.
        NeedleProbe probe(*tokenizer_, *haystack_);
        ProbeOptions options;
        options.samples = 1;
        options.depths = {50};
        const Prompt p = probe.prompts(options, 112).front();
        const int64_t T = int64_t(p.tokens.size());
        PlacementOptions withMaps;
        withMaps.mapRows = {0, 5, T - 1, 5};
        for (auto& model : models_) {
            const PlacementResult plain = probePlacement(*model, p);
            const PlacementResult mapped = probePlacement(*model, p, withMaps);
            QVERIFY(plain.capture.layers.empty());  // nothing kept without map rows
            QCOMPARE(mapped.capture.rows, (std::vector<int64_t>{0, 5, T - 1}));
            QCOMPARE(mapped.heads.size(), plain.heads.size());
            for (size_t i = 0; i < plain.heads.size(); ++i) {
                QCOMPARE(mapped.heads[i].buckets.raw.answer, plain.heads[i].buckets.raw.answer);
                QCOMPARE(mapped.heads[i].buckets.raw.noise, plain.heads[i].buckets.raw.noise);
            }
            QCOMPARE(mapped.retrieval.generated, plain.retrieval.generated);
            // The raw answer bucket is the sum of the query row over the answer's keys, from the full
            // capture.
            const auto full = model->capture(probeInput(p.tokens, p.answerTokens));
            const auto& first = full.layers[0].effective;  // [1, H, L, L]
            const double answer =
                first[0][0][T - 1].narrow(0, p.answer.begin, p.answer.size()).sum().item<double>();
            QVERIFY(std::fabs(plain.heads[0].buckets.raw.answer - answer) < 1e-5);
        }
    }

    void teacherForcedScoringMatchesGreedyDecoding() {
        NeedleProbe probe(*tokenizer_, *haystack_);
        ProbeOptions options;
        options.samples = 2;
        for (auto& model : models_) {
            for (const Prompt& p : probe.prompts(options, 112)) {
                const PlacementResult r = probePlacement(*model, p);
                const auto greedy = greedyContinuation(*model, p.tokens, int64_t(p.answerTokens.size()));
                QVERIFY(!r.retrieval.generated.empty());
                QCOMPARE(r.retrieval.generated,
                         std::vector<int32_t>(greedy.begin(), greedy.begin() + r.retrieval.generated.size()));
                QCOMPARE(r.retrieval.hit, greedy == p.answerTokens);
            }
        }
    }

    void questionMeanAndWholeNeedleOptions() {
        NeedleProbe probe(*tokenizer_, *haystack_);
        ProbeOptions options;
        options.samples = 1;
        options.depths = {25};
        const Prompt p = probe.prompts(options, 112).front();
        PlacementOptions questionMean, wholeNeedle;
        questionMean.query = QueryMode::QuestionMean;
        wholeNeedle.answerSpan = AnswerSpanMode::WholeNeedle;
        const auto last = probePlacement(*models_[0], p);
        const auto mean = probePlacement(*models_[0], p, questionMean);
        const auto needle = probePlacement(*models_[0], p, wholeNeedle);
        QVERIFY(std::fabs(last.mean.raw.answer - mean.mean.raw.answer) > 0);
        // The whole needle holds the number: at least as much raw attention (standard weights are ≥ 0).
        QVERIFY(needle.mean.raw.answer >= last.mean.raw.answer);
        QVERIFY(std::fabs(needle.mean.raw.answer + needle.mean.raw.noise - last.mean.raw.answer -
                          last.mean.raw.noise) < 1e-6);
    }

    void errorsAreClear() {
        NeedleProbe probe(*tokenizer_, *haystack_);
        const ModelConfig& config = models_[0]->config();
        ProbeOptions options;
        options.contextLength = config.maxContext + 1;
        QString m = message([&] { probe.resolveContext(options, config); });
        QVERIFY2(m.contains("longer than the model's maximum of 128"), qPrintable(m));
        options.contextLength = config.maxContext;  // fits, but no room for the answer's tokens
        m = message([&] { probe.resolveContext(options, config); });
        QVERIFY2(m.contains("no room") && m.contains("answer"), qPrintable(m));
        options.contextLength = 20;
        m = message([&] { probe.resolveContext(options, config); });
        QVERIFY2(m.contains("needle") && m.contains("more than the context of 20 tokens"), qPrintable(m));
        options.contextLength = 0;
        options.depths = {0, 150};
        m = message([&] { probe.resolveContext(options, config); });
        QVERIFY2(m.contains("depth must be within 0-100"), qPrintable(m));
        options.depths = {50};
        QCOMPARE(probe.resolveContext(options, config), config.maxContext - (probe.maxAnswerTokens() - 1));
        QVERIFY_THROWS_EXCEPTION(Error, queryModeFromString("first"));
    }

    void curriculumTasksEndWithTheAnswer() {
        auto train = std::make_shared<const std::vector<int32_t>>(haystack_->tokens());
        CurriculumSettings settings;
        settings.fraction = 0.5;
        settings.seed = 9;
        Curriculum curriculum(*tokenizer_, train, 128, settings);
        for (uint64_t s = 0; s < 20; ++s) {
            const auto task = curriculum.task(s);
            QCOMPARE(int64_t(task.tokens.size()), int64_t(129));
            const auto& p = task.prompt;
            const std::vector<int32_t> tail(
                task.tokens.begin() + int64_t(p.tokens.size()),
                task.tokens.begin() + int64_t(p.tokens.size() + p.answerTokens.size()));
            QCOMPARE(tail, p.answerTokens);  // the answer follows the question
            QCOMPARE(tokenizer_->decode(tail), " " + p.target.number);
        }
        // Deterministic per batch position; about `fraction` of the rows replaced; fraction 0 leaves data
        // alone.
        auto batch = [] {
            return Batch{torch::arange(4 * 128, torch::kInt64).view({4, 128}) % 400,
                         (torch::arange(4 * 128, torch::kInt64).view({4, 128}) + 1) % 400,
                         {}};
        };
        int64_t replaced = 0;
        for (int64_t pos = 0; pos < 50; ++pos) {
            Batch a = batch(), b = batch();
            const int64_t n = curriculum.apply(a, pos);
            QCOMPARE(curriculum.apply(b, pos), n);
            QVERIFY(torch::equal(a.inputs, b.inputs));
            QVERIFY(torch::equal(a.inputs.narrow(1, 1, 127),
                                 a.targets.narrow(1, 0, 127)));  // still shifted by one
            replaced += n;
        }
        QVERIFY2(replaced > 60 && replaced < 140, qPrintable(QString::number(replaced)));
        settings.fraction = 0;
        Curriculum off(*tokenizer_, train, 128, settings);
        Batch c = batch();
        QCOMPARE(off.apply(c, 3), int64_t(0));
        QVERIFY(torch::equal(c.inputs, batch().inputs));
        // A context the task cannot fit in: a clear error.
        settings.fraction = 0.5;
        const QString m = message([&] { Curriculum(*tokenizer_, train, 64, settings); });
        QVERIFY2(m.contains("curriculum") && m.contains("64"), qPrintable(m));
    }
};

QTEST_APPLESS_MAIN(TestProbeModel)
#include "test_probe_model.moc"
