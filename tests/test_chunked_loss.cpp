// The chunked LM head + cross-entropy (issue 10) against the plain path: the same loss and the same
// gradients (≤ 1e-6) for any block size, with and without per-target weights, under a scaled upstream
// gradient, in evaluation mode, and through the decoder's tied head.
#include <torch/torch.h>

#include <QtTest/QtTest>

#include "core/model/ChunkedLoss.h"
#include "core/model/Decoder.h"
#include "core/model/Loss.h"

using namespace needlescope;

namespace {

struct Grads {
    double loss;
    torch::Tensor hidden, weight;
};

Grads plain(const torch::Tensor& h0, const torch::Tensor& w0, const torch::Tensor& targets,
            const torch::Tensor& weights, double upstream) {
    auto h = h0.clone().requires_grad_(true), w = w0.clone().requires_grad_(true);
    auto logits = torch::nn::functional::linear(h, w).unsqueeze(0);  // [1, N, V]
    auto loss =
        nextTokenLoss(logits, targets.unsqueeze(0), weights.defined() ? weights.unsqueeze(0) : weights);
    (loss * upstream).backward();
    return {loss.item<double>(), h.grad(), w.grad()};
}

Grads chunked(const torch::Tensor& h0, const torch::Tensor& w0, const torch::Tensor& targets,
              const torch::Tensor& weights, double upstream, int64_t block) {
    auto h = h0.clone().requires_grad_(true), w = w0.clone().requires_grad_(true);
    auto loss = chunkedLinearCrossEntropy(h, w, targets, weights, block);  // []
    (loss * upstream).backward();
    return {loss.item<double>(), h.grad(), w.grad()};
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

class TestChunkedLoss : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void equalsThePlainPathForEveryBlockSize() {
        torch::manual_seed(7);
        const int64_t N = 37, D = 16, V = 53;
        const auto h = torch::randn({N, D});                            // [N, D]
        const auto w = torch::randn({V, D}) * 0.5;                      // [V, D]
        const auto targets = torch::randint(0, V, {N}, torch::kInt64);  // [N]
        auto weights = torch::rand({N});                                // [N]
        weights.narrow(0, 0, 10).zero_();  // rows that send no gradient, as in the answer-only objective
        for (const torch::Tensor& rowWeights : {torch::Tensor(), weights}) {
            const Grads expected = plain(h, w, targets, rowWeights, 2.5);
            for (int64_t block : {1, 5, 36, 37, 100}) {
                const Grads got = chunked(h, w, targets, rowWeights, 2.5, block);
                QVERIFY2(std::abs(got.loss - expected.loss) <= 1e-6, qPrintable(QString::number(block)));
                QVERIFY2(maxDiff(got.hidden, expected.hidden) <= 1e-6, qPrintable(QString::number(block)));
                QVERIFY2(maxDiff(got.weight, expected.weight) <= 1e-6, qPrintable(QString::number(block)));
            }
        }
    }

    void evaluationModeGivesTheSameLossWithoutAGraph() {
        torch::manual_seed(3);
        const auto h = torch::randn({20, 8}), w = torch::randn({30, 8});
        const auto targets = torch::randint(0, 30, {20}, torch::kInt64);
        const double expected = plain(h, w, targets, {}, 1.0).loss;
        torch::NoGradGuard noGrad;
        const auto loss = chunkedLinearCrossEntropy(h, w, targets, {}, 7);
        QVERIFY(!loss.requires_grad());
        QVERIFY(std::abs(loss.item<double>() - expected) <= 1e-6);
    }

    void decoderLossMatchesLogitsThenCrossEntropy() {
        for (ModelKind kind : {ModelKind::Standard, ModelKind::Diff}) {
            ModelConfig config;
            config.kind = kind;
            config.vocabSize = 97;
            config.dModel = 32;
            config.nHeads = 4;
            config.nLayers = 2;
            config.maxContext = 16;
            torch::manual_seed(11);
            Decoder a(config), b(config);
            {
                torch::NoGradGuard noGrad;
                auto pa = a->parameters(), pb = b->parameters();
                for (size_t i = 0; i < pa.size(); ++i) pb[i].copy_(pa[i]);
            }
            const auto tokens = torch::randint(0, 97, {3, 17}, torch::kInt64);               // [B, T+1]
            const auto inputs = tokens.narrow(1, 0, 16), targets = tokens.narrow(1, 1, 16);  // [B, T]
            const auto chunkedLoss = a->loss(inputs, targets);                               // []
            const auto plainLoss = nextTokenLoss(b->forward(inputs), targets);               // []
            chunkedLoss.backward();
            plainLoss.backward();
            QVERIFY(std::abs(chunkedLoss.item<double>() - plainLoss.item<double>()) <= 1e-6);
            double worst = 0;
            auto pa = a->parameters(), pb = b->parameters();
            for (size_t i = 0; i < pa.size(); ++i)
                worst = std::max(worst, maxDiff(pa[i].grad(), pb[i].grad()));
            QVERIFY2(worst <= 1e-6, qPrintable(QString::number(worst)));
        }
    }
};

QTEST_GUILESS_MAIN(TestChunkedLoss)
#include "test_chunked_loss.moc"
