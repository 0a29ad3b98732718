// Model tests: each checks the LibTorch modules against an independent formula or invariant.
#include <torch/torch.h>

#include <QtTest/QtTest>
#include <cmath>
#include <cstdio>

#include "core/model/Attention.h"
#include "core/model/BatchedMatmul.h"
#include "core/model/Decoder.h"
#include "core/model/ModelConfig.h"
#include "core/util/Error.h"
#include "naive_attention.h"

using namespace needlescope;
using namespace modeltest;

namespace {

ModelConfig smallConfig(ModelKind kind) {
    ModelConfig c;
    c.kind = kind;
    c.vocabSize = 97;
    c.dModel = 32;
    c.nLayers = 3;
    c.nHeads = 4;
    c.maxContext = 24;
    c.seed = 7;
    return c;
}

torch::Tensor naiveRmsNorm(const torch::Tensor& x /* [T, w] */, const torch::Tensor& w) {
    return x / torch::sqrt(x.pow(2).mean(-1, true) + 1e-5) * w;
}

std::pair<torch::Tensor, torch::Tensor> freshMask(int64_t T) {
    auto mask = torch::full({T, T}, -std::numeric_limits<float>::infinity()).triu(1);
    return {mask, torch::Tensor()};
}

}  // namespace

class TestModel : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void causality_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("standard") << int(ModelKind::Standard);
        QTest::newRow("diff") << int(ModelKind::Diff);
        QTest::newRow("diff2") << int(ModelKind::Diff2);
    }
    void causality() {
        QFETCH(int, kind);
        Decoder model(smallConfig(ModelKind(kind)));
        model->eval();
        torch::NoGradGuard noGrad;
        auto tokens = torch::randint(0, 97, {2, 20}, torch::kInt64);  // [B, T]
        for (int64_t t : {0, 7, 19}) {
            auto changed = tokens.clone();
            changed.index_put_({torch::indexing::Slice(), t},
                               (tokens.index({0, t}).item<int64_t>() + 1) % 97);
            auto a = model->forward(tokens);   // [B, T, V]
            auto b = model->forward(changed);  // [B, T, V]
            if (t > 0) QVERIFY(maxAbsDiff(a.narrow(1, 0, t), b.narrow(1, 0, t)) < 1e-6);
            QVERIFY2(maxAbsDiff(a.narrow(1, t, 1), b.narrow(1, t, 1)) > 1e-4,
                     "the changed position must change");
        }
    }

    void standardAttentionMatchesNaive() {
        const int64_t D = 32, H = 4, d = 8, T = 9;
        StandardAttention attn(D, H);
        RotaryEmbedding rope(d, 32, 10000.0);
        auto x = torch::randn({1, T, D});  // [B, T, D]
        auto [mask, none] = freshMask(T);
        LayerAttention captured;
        auto out = attn->forward(x, mask, *rope, &captured).detach()[0];  // [T, D]

        torch::NoGradGuard noGrad;
        auto q = torch::matmul(x[0], attn->q_proj->weight.t());  // [T, D]
        auto k = torch::matmul(x[0], attn->k_proj->weight.t());
        auto v = torch::matmul(x[0], attn->v_proj->weight.t());
        std::vector<torch::Tensor> heads;
        for (int64_t hd = 0; hd < H; ++hd) {
            auto cols = torch::indexing::Slice(hd * d, (hd + 1) * d);
            auto weights =
                naiveCausalSoftmax(naiveRope(q.index({torch::indexing::Slice(), cols}).contiguous(), 1e4),
                                   naiveRope(k.index({torch::indexing::Slice(), cols}).contiguous(), 1e4));
            QVERIFY(maxAbsDiff(weights, captured.effective[0][hd]) < 1e-5);
            heads.push_back(torch::matmul(weights, v.index({torch::indexing::Slice(), cols})));
        }
        auto expected = torch::matmul(torch::cat(heads, 1), attn->out_proj->weight.t());  // [T, D]
        const double diff = maxAbsDiff(out, expected);
        QVERIFY2(diff < 1e-5, qPrintable(QString("max |diff| = %1").arg(diff)));
    }

    void diffAttentionMatchesNaive() {
        const int64_t D = 32, baselineHeads = 4, d = 8, T = 9, layer = 2;
        DiffAttention attn(D, baselineHeads, layer);
        RotaryEmbedding rope(d, 32, 10000.0);
        {
            torch::NoGradGuard noGrad;
            for (auto* p : {&attn->lambda_q1, &attn->lambda_k1, &attn->lambda_q2, &attn->lambda_k2})
                p->normal_(0, 0.3);
            attn->subln->weight.uniform_(0.5, 1.5);  // a non-trivial shared norm weight
        }
        auto x = torch::randn({1, T, D});
        auto [mask, none] = freshMask(T);
        LayerAttention captured;
        auto out = attn->forward(x, mask, *rope, &captured).detach()[0];  // [T, D]

        torch::NoGradGuard noGrad;
        const double lambdaInit = 0.8 - 0.6 * std::exp(-0.3 * layer);
        const double lambda = std::exp(torch::dot(attn->lambda_q1, attn->lambda_k1).item<double>()) -
                              std::exp(torch::dot(attn->lambda_q2, attn->lambda_k2).item<double>()) +
                              lambdaInit;
        QCOMPARE(float(captured.lambda), float(lambda));
        auto q = torch::matmul(x[0], attn->q_proj->weight.t());  // [T, 2h·d]
        auto k = torch::matmul(x[0], attn->k_proj->weight.t());
        auto v = torch::matmul(x[0], attn->v_proj->weight.t());  // [T, h·2d]
        auto sub = [&](const torch::Tensor& m, int64_t s) {
            return naiveRope(
                m.index({torch::indexing::Slice(), torch::indexing::Slice(s * d, (s + 1) * d)}).contiguous(),
                1e4);
        };
        std::vector<torch::Tensor> heads;
        for (int64_t i = 0; i < baselineHeads / 2; ++i) {
            auto a1 = naiveCausalSoftmax(sub(q, 2 * i), sub(k, 2 * i));          // [T, T]
            auto a2 = naiveCausalSoftmax(sub(q, 2 * i + 1), sub(k, 2 * i + 1));  // [T, T]
            auto effective = a1 - lambda * a2;
            QVERIFY(maxAbsDiff(a1, captured.a1[0][i]) < 1e-5);
            QVERIFY(maxAbsDiff(a2, captured.a2[0][i]) < 1e-5);
            QVERIFY(maxAbsDiff(effective, captured.effective[0][i]) < 1e-5);
            auto vi = v.index({torch::indexing::Slice(), torch::indexing::Slice(i * 2 * d, (i + 1) * 2 * d)});
            heads.push_back(naiveRmsNorm(torch::matmul(effective, vi), attn->subln->weight) *
                            (1.0 - lambdaInit));
        }
        auto expected = torch::matmul(torch::cat(heads, 1), attn->out_proj->weight.t());  // [T, D]
        const double diff = maxAbsDiff(out, expected);
        QVERIFY2(diff < 1e-5, qPrintable(QString("max |diff| = %1").arg(diff)));
    }

    void capturedRowsSum_data() { causality_data(); }
    void capturedRowsSum() {
        QFETCH(int, kind);
        auto config = smallConfig(ModelKind(kind));
        Decoder model(config);
        auto tokens = torch::randint(0, 97, {2, 16}, torch::kInt64);
        const std::vector<int64_t> rows = {0, 5, 15};
        auto cap = model->capture(tokens, rows);
        QCOMPARE(int64_t(cap.layers.size()), config.nLayers);
        QCOMPARE(cap.rows, rows);
        const auto lambdas = model->lambdas();
        for (size_t l = 0; l < cap.layers.size(); ++l) {
            const auto& layer = cap.layers[l];
            QCOMPARE(layer.effective.sizes().vec(),
                     (std::vector<int64_t>{2, config.attentionHeads(), 3, 16}));
            // Rows sum to 1 (standard), 1 − λ (DIFF) or 1 − λ_t of the row's own token (V2).
            const auto expectedSums =
                ModelKind(kind) == ModelKind::Diff2
                    ? 1.0 - layer.lambdaPerToken
                    : torch::full({2, config.attentionHeads(), 3},
                                  ModelKind(kind) == ModelKind::Diff ? 1.0 - lambdas[l] : 1.0);
            QVERIFY(maxAbsDiff(layer.effective.sum(-1), expectedSums) < 1e-5);
            for (size_t r = 0; r < rows.size(); ++r)  // nothing attends to the future
                QCOMPARE(layer.effective.select(2, r)
                             .narrow(-1, rows[r] + 1, 15 - rows[r])
                             .abs()
                             .sum()
                             .item<double>(),
                         0.0);
            if (ModelKind(kind) != ModelKind::Standard) {
                QVERIFY(maxAbsDiff(layer.a1.sum(-1), torch::ones({2, config.attentionHeads(), 3})) < 1e-5);
                QVERIFY(maxAbsDiff(layer.a2.sum(-1), torch::ones({2, config.attentionHeads(), 3})) < 1e-5);
            }
            if (ModelKind(kind) == ModelKind::Diff) QCOMPARE(float(layer.lambda), float(lambdas[l]));
            if (ModelKind(kind) == ModelKind::Diff2) {
                QCOMPARE(layer.lambdaPerToken.sizes().vec(), (std::vector<int64_t>{2, config.nHeads, 3}));
                QVERIFY(layer.lambdaPerToken.min().item<double>() > 0.0);  // a sigmoid: within (0, 1)
                QVERIFY(layer.lambdaPerToken.max().item<double>() < 1.0);
            }
        }
        // The capture forward gives the same logits as the plain forward.
        torch::NoGradGuard noGrad;
        QVERIFY(maxAbsDiff(cap.logits, model->forward(tokens)) < 1e-6);
    }

    void capturedMapsComeFromEachLayersHiddenStates() {
        // Layer 1's map must be recomputable from layer 1's real input (block 0 output, after the pre-norm).
        auto config = smallConfig(ModelKind::Diff);
        Decoder model(config);
        torch::NoGradGuard noGrad;
        auto tokens = torch::randint(0, 97, {1, 12}, torch::kInt64);
        auto cap = model->capture(tokens);
        auto mask = torch::full({12, 12}, -std::numeric_limits<float>::infinity()).triu(1);
        auto rope = RotaryEmbedding(config.headDim(), config.maxContext, config.ropeBase);
        auto block0 = model->layers[0]->as<BlockImpl>();
        auto block1 = model->layers[1]->as<BlockImpl>();
        auto x1 = block0->forward(model->embed_tokens(tokens), mask, *rope);  // [1, T, D]
        LayerAttention again;
        block1->diff->forward(block1->attn_norm(x1), mask, *rope, &again);
        QVERIFY(maxAbsDiff(again.effective, cap.layers[1].effective) < 1e-6);
        // …and differs from a map computed on raw embeddings (the old study's mistake).
        LayerAttention wrong;
        block1->diff->forward(model->embed_tokens(tokens), mask, *rope, &wrong);
        QVERIFY(maxAbsDiff(wrong.effective, cap.layers[1].effective) > 1e-3);
    }

    void batchedMatmulMatchesBmmWithGradients() {
        auto a = torch::randn({6, 17, 5}, torch::requires_grad());
        auto b = torch::randn({6, 9, 17}, torch::requires_grad());
        auto bT = b.transpose(1, 2);  // non-contiguous operand, as in q·kᵀ
        auto out = batchedMatmul(a.transpose(1, 2), bT.transpose(1, 2).transpose(1, 2));  // [6, 5, 9]
        auto expected = torch::bmm(a.transpose(1, 2).detach(), bT.detach());
        QVERIFY(maxAbsDiff(out.detach(), expected) < 1e-5);
        auto weights = torch::randn({6, 5, 9});
        (out * weights).sum().backward();
        auto a2 = a.detach().clone().requires_grad_(true), b2 = b.detach().clone().requires_grad_(true);
        (torch::bmm(a2.transpose(1, 2), b2.transpose(1, 2)) * weights).sum().backward();
        QVERIFY(maxAbsDiff(a.grad(), a2.grad()) < 1e-5);
        QVERIFY(maxAbsDiff(b.grad(), b2.grad()) < 1e-5);
    }

    void lambdaInitSchedule() {
        const double expected[] = {0.2000, 0.3555, 0.4707, 0.5561};
        for (int l = 0; l < 4; ++l) QVERIFY(std::abs(lambdaInit(l) - expected[l]) < 1e-4);
        Decoder model(smallConfig(ModelKind::Diff));
        QCOMPARE(model->layers[2]->as<BlockImpl>()->diff->lambdaInit(), lambdaInit(2));
    }

    void parameterCounts() {
        for (auto [dModel, heads, layers] :
             {std::tuple{32, 4, 3}, std::tuple{64, 8, 2}, std::tuple{48, 2, 1}}) {
            auto config = smallConfig(ModelKind::Standard);
            config.dModel = dModel;
            config.nHeads = heads;
            config.nLayers = layers;
            const int64_t standard = Decoder(config)->parameterCount();
            config.kind = ModelKind::Diff;
            const int64_t diff = Decoder(config)->parameterCount();
            QCOMPARE(diff, standard + 6 * config.headDim() * layers);
        }
    }

    void parameterNamesFollowReference() {
        Decoder model(smallConfig(ModelKind::Diff));
        auto params = model->named_parameters();
        for (const char* name :
             {"embed_tokens.weight", "layers.0.attn.q_proj.weight", "layers.0.attn.k_proj.weight",
              "layers.0.attn.v_proj.weight", "layers.0.attn.out_proj.weight", "layers.0.attn.lambda_q1",
              "layers.0.attn.lambda_k1", "layers.0.attn.lambda_q2", "layers.0.attn.lambda_k2",
              "layers.0.attn.subln.weight", "layers.2.ffn.w1.weight", "layers.2.ffn.w2.weight",
              "layers.2.ffn.w3.weight", "norm.weight"})
            QVERIFY2(params.contains(name), name);
    }

    void sharedWeightsStartIdenticalAcrossKinds() {
        // Same seed → every weight the two kinds share starts equal (a fair paired comparison).
        Decoder standard(smallConfig(ModelKind::Standard));
        Decoder diff(smallConfig(ModelKind::Diff));
        auto diffParams = diff->named_parameters();
        for (const auto& item : standard->named_parameters()) {
            QVERIFY2(diffParams.contains(item.key()), qPrintable(QString::fromStdString(item.key())));
            QVERIFY(torch::equal(item.value(), diffParams[item.key()]));
        }
    }

    void configValidation_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("value");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        const int std_ = int(ModelKind::Standard), diff = int(ModelKind::Diff);
        QTest::newRow("heads not dividing") << "heads" << 6 << std_ << "heads (6) must divide d_model (32)";
        QTest::newRow("odd diff heads")
            << "heads" << 1 << diff << "a DIFF model needs an even head count (it pairs heads), got 1";
        QTest::newRow("zero d_model") << "d_model" << 0 << std_ << "d_model must be positive, got 0";
        QTest::newRow("negative layers") << "layers" << -2 << std_ << "layers must be positive, got -2";
        QTest::newRow("zero heads") << "heads" << 0 << std_ << "heads must be positive, got 0";
        QTest::newRow("zero vocab") << "vocab" << 0 << std_ << "vocab_size must be positive, got 0";
        QTest::newRow("zero context") << "context" << 0 << std_ << "context length must be positive, got 0";
        QTest::newRow("negative context")
            << "context" << -5 << diff << "context length must be positive, got -5";
        QTest::newRow("odd head width")
            << "heads" << 32 << std_ << "head width d_model/heads = 1 must be even for rotary embeddings";
    }
    void configValidation() {
        QFETCH(QString, field);
        QFETCH(int, value);
        QFETCH(int, kind);
        QFETCH(QString, message);
        auto config = smallConfig(ModelKind(kind));
        if (field == "heads") config.nHeads = value;
        if (field == "d_model") config.dModel = value;
        if (field == "layers") config.nLayers = value;
        if (field == "vocab") config.vocabSize = value;
        if (field == "context") config.maxContext = value;
        QCOMPARE(QString::fromStdString(config.validationError().value_or("")), message);
        try {
            Decoder model(config);
            QFAIL("constructing a decoder from a bad config must throw");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), "invalid model config: " + message);
        }
        QVERIFY(!smallConfig(ModelKind(kind)).validationError().has_value());
    }

    void tooLongSequenceIsAnError() {
        Decoder model(smallConfig(ModelKind::Standard));
        auto tokens = torch::zeros({1, 25}, torch::kInt64);
        QVERIFY_THROWS_EXCEPTION(Error, model->forward(tokens));
        QVERIFY_THROWS_EXCEPTION(Error, model->capture(torch::zeros({1, 5}, torch::kInt64), {5}));
    }

    void saveLoadRoundTrip_data() { causality_data(); }
    void saveLoadRoundTrip() {
        QFETCH(int, kind);
        auto config = smallConfig(ModelKind(kind));
        Decoder model(config);
        {
            torch::NoGradGuard noGrad;  // make the weights differ from a fresh init
            for (auto& p : model->parameters()) p.add_(torch::randn_like(p) * 0.05);
        }
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.pt").toStdString();
        torch::save(model, path);
        Decoder loaded(config);
        torch::load(loaded, path);
        auto tokens = torch::randint(0, 97, {2, 12}, torch::kInt64);
        torch::NoGradGuard noGrad;
        QVERIFY(torch::equal(model->forward(tokens), loaded->forward(tokens)));
    }
};

QTEST_APPLESS_MAIN(TestModel)
#include "test_model.moc"
