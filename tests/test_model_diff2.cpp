// Differential Attention V2 (kind diff2): the module against an independent naive loop, grouped-query
// pairing, per-token λ, parameter counts, identical init of the weights it shares with the baseline, config.
#include <torch/torch.h>

#include <QtTest/QtTest>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/model/Attention.h"
#include "core/model/Decoder.h"
#include "core/model/ModelConfig.h"
#include "core/probe/Buckets.h"
#include "core/train/MemoryEstimate.h"
#include "core/util/Error.h"
#include "naive_attention.h"

using namespace needlescope;
using namespace modeltest;
using torch::indexing::Slice;

namespace {

ModelConfig diff2Config(int64_t kvHeads = 0) {
    ModelConfig c;
    c.kind = ModelKind::Diff2;
    c.vocabSize = 97;
    c.dModel = 32;
    c.nLayers = 3;
    c.nHeads = 4;
    c.kvHeads = kvHeads;
    c.maxContext = 24;
    c.seed = 11;
    return c;
}

}  // namespace

class TestModelDiff2 : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void attentionMatchesNaiveLoop_data() {
        QTest::addColumn<int>("kvHeads");
        QTest::newRow("h_kv = h") << 4;
        QTest::newRow("h_kv = h/2") << 2;
        QTest::newRow("h_kv = 1") << 1;
    }
    void attentionMatchesNaiveLoop() {
        QFETCH(int, kvHeads);
        const int64_t D = 32, h = 4, g = kvHeads, d = 8, T = 9;
        Diff2Attention attn(D, h, g);
        RotaryEmbedding rope(d, 32, 10000.0);
        auto x = torch::randn({1, T, D});                                                  // [B, T, D]
        auto mask = torch::full({T, T}, -std::numeric_limits<float>::infinity()).triu(1);  // [T, T]
        LayerAttention captured;
        auto out = attn->forward(x, mask, *rope, &captured).detach()[0];  // [T, D]

        torch::NoGradGuard noGrad;
        auto q = torch::matmul(x[0], attn->q_proj->weight.t()).contiguous();  // [T, 2h·d]
        auto k = torch::matmul(x[0], attn->k_proj->weight.t()).contiguous();  // [T, g·d]
        auto v = torch::matmul(x[0], attn->v_proj->weight.t()).contiguous();  // [T, g·d]
        auto wl = attn->lambda_proj->weight.contiguous();                     // [h, D]
        auto block = [&](const torch::Tensor& m, int64_t i) {
            return m.index({Slice(), Slice(i * d, (i + 1) * d)}).contiguous();  // [T, d]
        };
        std::vector<torch::Tensor> heads;
        for (int64_t i = 0; i < h; ++i) {
            const int64_t kv = i * g / h;  // query heads 2i and 2i+1 both read KV head i·h_kv/h
            auto a1 = naiveCausalSoftmax(naiveRope(block(q, 2 * i), 1e4), naiveRope(block(k, kv), 1e4));
            auto a2 = naiveCausalSoftmax(naiveRope(block(q, 2 * i + 1), 1e4), naiveRope(block(k, kv), 1e4));
            auto effective = torch::zeros({T, T});
            for (int64_t t = 0; t < T; ++t) {
                double logit = 0;  // λ_t = sigmoid(x_t · W_λ[i])
                for (int64_t c = 0; c < D; ++c)
                    logit += double(x[0][t][c].item<float>()) * wl[i][c].item<float>();
                const double lambda = 1.0 / (1.0 + std::exp(-logit));
                QVERIFY(std::abs(captured.lambdaPerToken[0][i][t].item<double>() - lambda) < 1e-5);
                effective[t] = a1[t] - lambda * a2[t];
                QVERIFY(std::abs(effective[t].sum().item<double>() - (1.0 - lambda)) < 1e-5);  // 1 − λ_t
            }
            QVERIFY(maxAbsDiff(a1, captured.a1[0][i]) < 1e-5);
            QVERIFY(maxAbsDiff(a2, captured.a2[0][i]) < 1e-5);
            const double mapDiff = maxAbsDiff(effective, captured.effective[0][i]);
            QVERIFY2(mapDiff <= 1e-5,
                     qPrintable(QString("effective map of head %1: %2").arg(i).arg(mapDiff)));
            heads.push_back(torch::matmul(effective, block(v, kv)));  // [T, d]
        }
        auto expected = torch::matmul(torch::cat(heads, 1), attn->out_proj->weight.t());  // [T, D]
        const double diff = maxAbsDiff(out, expected);
        QVERIFY2(diff < 1e-5, qPrintable(QString("max |diff| = %1").arg(diff)));
    }

    void groupedQueryHeadsPairInsideTheirGroup() {
        // h = 4, h_kv = 2: output heads 0, 1 read KV head 0 and heads 2, 3 read KV head 1. Changing KV head
        // 1's key weights must change the maps of heads 2 and 3 (both halves of the pair) and nothing else.
        const int64_t D = 32, h = 4, g = 2, d = 8, T = 10;
        Diff2Attention attn(D, h, g);
        RotaryEmbedding rope(d, 32, 10000.0);
        auto x = torch::randn({1, T, D});
        auto mask = torch::full({T, T}, -std::numeric_limits<float>::infinity()).triu(1);
        LayerAttention before, after;
        torch::NoGradGuard noGrad;
        attn->forward(x, mask, *rope, &before);
        attn->k_proj->weight.index({Slice(d, 2 * d)}).add_(torch::randn({d, D}) * 0.5);  // KV head 1 only
        attn->forward(x, mask, *rope, &after);
        for (int64_t i = 0; i < h; ++i) {
            const bool inGroup1 = i * g / h == 1;
            for (auto maps : {&LayerAttention::a1, &LayerAttention::a2}) {
                const double change = maxAbsDiff((before.*maps)[0][i], (after.*maps)[0][i]);
                QVERIFY2(inGroup1 ? change > 1e-4 : change == 0.0,
                         qPrintable(QString("head %1 changed by %2").arg(i).arg(change)));
            }
        }
    }

    void capturedRowsSumToOneMinusLambda() {
        Decoder model(diff2Config(2));
        auto tokens = torch::randint(0, 97, {2, 16}, torch::kInt64);
        auto cap = model->capture(tokens, {3, 9, 15});
        for (const auto& layer : cap.layers) {
            QCOMPARE(layer.effective.sizes().vec(), (std::vector<int64_t>{2, 4, 3, 16}));
            QVERIFY(maxAbsDiff(layer.effective.sum(-1), 1.0 - layer.lambdaPerToken) < 1e-5);
            QVERIFY(maxAbsDiff(layer.effective, layer.a1 - layer.lambdaPerToken.unsqueeze(-1) * layer.a2) <
                    1e-6);
            QVERIFY(std::abs(layer.lambda - layer.lambdaPerToken.mean().item<double>()) < 1e-9);
        }
        // The monitor's per-layer V2 λ: the mean λ_t of the last forward (NaN before any), here over every
        // row of a full capture.
        Decoder fresh(diff2Config(2));
        for (double l : fresh->lambdas()) QVERIFY(std::isnan(l));
        auto all = model->capture(tokens);
        const std::vector<double> means = model->lambdas();
        QCOMPARE(means.size(), all.layers.size());
        for (size_t l = 0; l < means.size(); ++l)
            QVERIFY(std::abs(means[l] - all.layers[l].lambdaPerToken.mean().item<double>()) < 1e-6);
    }

    void bucketsOfAV2RowInAllThreeNormalisations() {
        // A captured V2 query row goes through the probe's buckets unchanged: raw sums to 1 − λ_t, absolute
        // to 1, signed to 1 (or the row is flagged), each checked against sums computed here.
        Decoder model(diff2Config());
        torch::manual_seed(4);
        auto tokens = torch::randint(0, 97, {1, 20}, torch::kInt64);
        auto cap = model->capture(tokens, {19});
        BucketSpans spans;
        spans.sink = {0, 1};
        spans.answer = {6, 9};
        spans.query = {15, 20};
        spans.contextLength = 20;
        int checked = 0;
        for (const auto& layer : cap.layers)
            for (int64_t h = 0; h < 4; ++h) {
                auto row = layer.effective[0][h][0].contiguous();  // [T]
                const RowBuckets b = computeBuckets(row.data_ptr<float>(), 20, spans);
                double sink = 0, answer = 0, noise = 0, query = 0, absTotal = 0;
                for (int64_t t = 0; t < 20; ++t) {
                    const double a = row[t].item<double>();
                    absTotal += std::abs(a);
                    (t == 0 ? sink : t >= 6 && t < 9 ? answer : t >= 15 ? query : noise) += a;
                }
                const double lambda = layer.lambdaPerToken[0][h][0].item<double>();
                QVERIFY(std::abs(b.raw.sink + b.raw.answer + b.raw.noise + b.raw.query - (1.0 - lambda)) <
                        1e-5);
                QVERIFY(std::abs(b.raw.answer - answer) < 1e-6 && std::abs(b.raw.noise - noise) < 1e-6);
                QVERIFY(std::abs(b.absolute.sink + b.absolute.answer + b.absolute.noise + b.absolute.query -
                                 1) < 1e-6);
                double absAnswer = 0;
                for (int64_t t = 6; t < 9; ++t) absAnswer += std::abs(row[t].item<double>());
                QVERIFY(std::abs(b.absolute.answer - absAnswer / absTotal) < 1e-6);
                QCOMPARE(b.flagged, (sink + answer + noise + query) < kSignedFlagFraction * absTotal);
                if (!b.flagged) QVERIFY(std::abs(b.signedNorm.answer - answer / (1.0 - lambda)) < 1e-4);
                ++checked;
            }
        QCOMPARE(checked, 3 * 4);
    }

    void parameterCountFollowsTheFormula_data() {
        QTest::addColumn<int>("kvHeads");
        QTest::newRow("h_kv = h") << 0;
        QTest::newRow("h_kv = 2") << 2;
        QTest::newRow("h_kv = 1") << 1;
    }
    void parameterCountFollowsTheFormula() {
        QFETCH(int, kvHeads);
        auto config = diff2Config(kvHeads);
        const int64_t D = config.dModel, L = config.nLayers, h = config.nHeads, g = config.kvHeadCount();
        const int64_t d = config.headDim();
        auto standard = config;
        standard.kind = ModelKind::Standard;
        const int64_t base = Decoder(standard)->parameterCount();
        const int64_t v2 = Decoder(config)->parameterCount();
        // V2 − standard per layer: q twice as wide (+D²), k and v h_kv·d wide (2·D·(g·d − D)), λ (D·h).
        QCOMPARE(v2, base + L * (D * D + 2 * D * (g * d - D) + D * h));
        QCOMPARE(int64_t(modelParameterCount(config)), v2);
        const std::string formula = parameterFormula(config);
        QVERIFY2(formula.find("3D² + 2·D·h_kv·d + D·h") != std::string::npos, formula.c_str());
        QVERIFY2(formula.find("= " + std::to_string(v2)) != std::string::npos, formula.c_str());
    }

    void sharedWeightsStartIdenticalToTheBaseline_data() { parameterCountFollowsTheFormula_data(); }
    void sharedWeightsStartIdenticalToTheBaseline() {
        QFETCH(int, kvHeads);
        auto config = diff2Config(kvHeads);
        auto standardConfig = config;
        standardConfig.kind = ModelKind::Standard;
        Decoder standard(standardConfig), v2(config);
        auto v2Params = v2->named_parameters();
        int shared = 0;
        for (const auto& item : standard->named_parameters()) {
            const std::string& name = item.key();
            const bool qkv = name.find("attn.q_proj") != std::string::npos ||
                             ((name.find("attn.k_proj") != std::string::npos ||
                               name.find("attn.v_proj") != std::string::npos) &&
                              config.kvHeadCount() != config.nHeads);
            QVERIFY2(v2Params.contains(name), name.c_str());
            if (qkv) {
                QVERIFY(!v2Params[name].sizes().equals(item.value().sizes()));
                continue;
            }
            QVERIFY2(torch::equal(item.value(), v2Params[name]), name.c_str());
            ++shared;
        }
        // embed + final norm + per layer (2 norms, 3 FFN, out_proj, and k/v when h_kv = h)
        QCOMPARE(shared, 2 + int(config.nLayers) * (6 + (config.kvHeadCount() == config.nHeads ? 2 : 0)));
        QVERIFY(v2Params.contains("layers.0.attn.lambda_proj.weight"));
        QCOMPARE(v2Params["layers.0.attn.q_proj.weight"].sizes().vec(), (std::vector<int64_t>{64, 32}));
        // The same seed rebuilds the same V2 model.
        Decoder again(config);
        for (const auto& item : again->named_parameters())
            QVERIFY(torch::equal(item.value(), v2Params[item.key()]));
    }

    void configValidationAndJson() {
        auto config = diff2Config(3);
        QCOMPARE(QString::fromStdString(config.validationError().value_or("")),
                 QString("kv_heads (3) must divide heads (4)"));
        QVERIFY_THROWS_EXCEPTION(Error, Decoder{config});
        config.kvHeads = -1;
        QCOMPARE(QString::fromStdString(config.validationError().value_or("")),
                 QString("kv_heads must be 0 (= heads) or positive, got -1"));
        config.kvHeads = 2;
        QVERIFY(!config.validationError());
        const nlohmann::json j = config;
        QCOMPARE(j.at("kind").get<std::string>(), std::string("diff2"));
        QCOMPARE(j.at("kv_heads").get<int64_t>(), int64_t(2));
        const auto back = j.get<ModelConfig>();
        QVERIFY(back.kind == ModelKind::Diff2);
        QCOMPARE(back.kvHeads, int64_t(2));
        QVERIFY(!nlohmann::json(diff2Config(0)).contains("kv_heads"));  // unset: configs stay as before
        QVERIFY(modelKindFromString("diff2") == ModelKind::Diff2);
        QCOMPARE(kindName(ModelKind::Diff2), std::string("diff2"));
        try {
            modelKindFromString("diff3");
            QFAIL("an unknown kind must throw");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("'standard', 'diff' or 'diff2'"));
        }
    }

    void saveLoadRoundTrip() {
        auto config = diff2Config(2);
        Decoder model(config);
        {
            torch::NoGradGuard noGrad;
            for (auto& p : model->parameters()) p.add_(torch::randn_like(p) * 0.05);
        }
        QTemporaryDir dir;
        const std::string path = dir.filePath("v2.pt").toStdString();
        torch::save(model, path);
        Decoder loaded(config);
        torch::load(loaded, path);
        auto tokens = torch::randint(0, 97, {2, 12}, torch::kInt64);
        torch::NoGradGuard noGrad;
        QVERIFY(torch::equal(model->forward(tokens), loaded->forward(tokens)));
        for (const auto& item : loaded->named_parameters())  // λ projection and the narrow k/v included
            QVERIFY2(torch::equal(item.value(), model->named_parameters()[item.key()]), item.key().c_str());
    }
};

QTEST_APPLESS_MAIN(TestModelDiff2)
#include "test_model_diff2.moc"
