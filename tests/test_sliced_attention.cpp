// The sliced attention (issue 10: maps recomputed in backward instead of kept) against the plain op
// chain it replaces — masked scores, softmax, (A1 − λ·A2)·V built whole — in values and in the gradients
// of q, k, v and λ, for one map (standard), two maps with one λ (DIFF) and two maps with λ per query row
// (DIFF V2); with enough slices that the work is split into several chunks; and through whole decoders,
// whose plain forward (sliced) must equal the captured forward (whole maps).
#include <torch/torch.h>

#include <QtTest/QtTest>
#include <mutex>
#include <set>
#include <thread>

#include "core/model/Decoder.h"
#include "core/model/ParallelFor.h"
#include "core/model/SlicedAttention.h"

using namespace needlescope;

namespace {

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

torch::Tensor leaf(const torch::Tensor& t) { return t.clone().requires_grad_(true); }

// The plain chain: q, k [S, P, T, d], v [S, T, e], λ [] or [S, T, 1] → [S, T, e].
torch::Tensor plainAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const torch::Tensor& lambda, double scale) {
    const int64_t T = q.size(2);
    auto scores = torch::matmul(q, k.transpose(-1, -2)) * scale;                     // [S, P, T, T]
    auto future = torch::ones({T, T}, torch::kBool).triu(1);                         // [T, T]
    auto probs = torch::softmax(scores.masked_fill(future, -INFINITY), -1);          // [S, P, T, T]
    auto mixed = q.size(1) == 1 ? probs.select(1, 0)                                 // [S, T, T]
                                : probs.select(1, 0) - lambda * probs.select(1, 1);  // [S, T, T]
    return torch::matmul(mixed, v);                                                  // [S, T, e]
}

// The additive causal mask the decoder passes: 0 on and below the diagonal, −inf above. [T, T]
torch::Tensor additiveMask(int64_t T, torch::ScalarType dtype) {
    auto future = torch::ones({T, T}, torch::kBool).triu(1);            // [T, T]
    return torch::zeros({T, T}, dtype).masked_fill(future, -INFINITY);  // [T, T]
}

}  // namespace

class TestSlicedAttention : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        torch::manual_seed(11);
        at::set_num_threads(2);  // the chunks below then run on two threads, as in training
    }

    // Our own parallel loops must really be parallel (they run on one thread when this code is compiled
    // without OpenMP) and must run with the caller's grad mode (off inside an autograd Function).
    void chunksRunOnSeveralThreadsWithTheCallersGradMode() {
        std::mutex mutex;
        std::set<std::thread::id> threads;
        bool gradModeSeen = false;
        torch::NoGradGuard noGrad;
        parallelForWithCallerState(0, 8, 1, [&](int64_t, int64_t) {
            std::lock_guard<std::mutex> lock(mutex);
            threads.insert(std::this_thread::get_id());
            gradModeSeen = gradModeSeen || torch::GradMode::is_enabled();
        });
        QCOMPARE(int(threads.size()), 2);
        QVERIFY(!gradModeSeen);
    }

    void matchesThePlainChain_data() {
        QTest::addColumn<int>("maps");
        QTest::addColumn<bool>("perRow");
        QTest::addColumn<int>("T");
        QTest::newRow("standard, short") << 1 << false << 7;
        QTest::newRow("DIFF, short") << 2 << false << 7;
        QTest::newRow("DIFF V2, short") << 2 << true << 7;
        // 128 tokens and 256 KiB chunks: a chunk holds 4 (one map) or 2 (two maps) slices, so 19 slices
        // make several chunks.
        QTest::newRow("standard, several chunks") << 1 << false << 128;
        QTest::newRow("DIFF, several chunks") << 2 << false << 128;
        QTest::newRow("DIFF V2, several chunks") << 2 << true << 128;
    }

    void matchesThePlainChain() {
        QFETCH(int, maps);
        QFETCH(bool, perRow);
        QFETCH(int, T);
        const int64_t S = 19, d = 6, e = 5;
        const double scale = 1.0 / std::sqrt(double(d));
        const auto q0 = torch::randn({S, maps, T, d}, torch::kDouble);  // [S, P, T, d]
        const auto k0 = torch::randn({S, maps, T, d}, torch::kDouble);  // [S, P, T, d]
        const auto v0 = torch::randn({S, T, e}, torch::kDouble);        // [S, T, e]
        const auto lambda0 = maps == 1 ? torch::Tensor()
                             : perRow  ? torch::rand({S, T, 1}, torch::kDouble)  // [S, T, 1]
                                       : torch::tensor(0.43, torch::kDouble);     // []
        const auto upstream = torch::randn({S, T, e}, torch::kDouble);           // [S, T, e]

        auto qA = leaf(q0), kA = leaf(k0), vA = leaf(v0);
        auto lA = lambda0.defined() ? leaf(lambda0) : torch::Tensor();
        auto plain = plainAttention(qA, kA, vA, lA, scale);  // [S, T, e]
        (plain * upstream).sum().backward();

        auto qB = leaf(q0), kB = leaf(k0), vB = leaf(v0);
        auto lB = lambda0.defined() ? leaf(lambda0) : torch::Tensor();
        auto sliced = slicedCausalAttention(qB, kB, vB, lB, additiveMask(T, torch::kDouble), scale,
                                            int64_t(256) << 10);  // [S, T, e]
        (sliced * upstream).sum().backward();

        QCOMPARE(sliced.sizes(), plain.sizes());
        QVERIFY(maxDiff(plain, sliced) < 1e-12);
        QVERIFY(maxDiff(qA.grad(), qB.grad()) < 1e-12);
        QVERIFY(maxDiff(kA.grad(), kB.grad()) < 1e-12);
        QVERIFY(maxDiff(vA.grad(), vB.grad()) < 1e-12);
        QVERIFY(qB.grad().abs().sum().item<double>() > 0);  // the gradient really flowed
        if (lB.defined()) {
            QCOMPARE(lB.grad().sizes(), lambda0.sizes());
            QVERIFY(maxDiff(lA.grad(), lB.grad()) < 1e-12);
            QVERIFY(lB.grad().abs().sum().item<double>() > 0);
        }
    }

    void laterTokensDoNotChangeEarlierRows() {
        // Causality of the sliced path on its own: changing the last key and value moves only the last row.
        const int64_t S = 3, T = 9, d = 4;
        auto q = torch::randn({S, 2, T, d}), k = torch::randn({S, 2, T, d}), v = torch::randn({S, T, d});
        const auto lambda = torch::tensor(0.3f);
        const auto before =
            slicedCausalAttention(q, k, v, lambda, additiveMask(T, torch::kFloat), 0.5);  // [S, T, d]
        k.select(2, T - 1).add_(3.0);
        v.select(1, T - 1).add_(3.0);
        const auto after =
            slicedCausalAttention(q, k, v, lambda, additiveMask(T, torch::kFloat), 0.5);  // [S, T, d]
        QVERIFY(maxDiff(before.narrow(1, 0, T - 1), after.narrow(1, 0, T - 1)) < 1e-6);
        QVERIFY(maxDiff(before.select(1, T - 1), after.select(1, T - 1)) > 1e-3);
    }

    void decodersGiveTheSameLogitsSlicedAndWhole_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("standard") << "standard";
        QTest::newRow("diff") << "diff";
        QTest::newRow("diff2") << "diff2";
    }

    void decodersGiveTheSameLogitsSlicedAndWhole() {
        QFETCH(QString, kind);
        ModelConfig config;
        config.kind = modelKindFromString(kind.toStdString());
        config.vocabSize = 64;
        config.dModel = 32;
        config.nHeads = 4;
        config.nLayers = 2;
        config.maxContext = 40;
        Decoder model(config);
        const auto tokens = torch::randint(0, config.vocabSize, {2, 40}, torch::kInt64);  // [B, T]
        torch::NoGradGuard noGrad;
        const auto sliced = model->forward(tokens);            // [B, T, V], no maps kept
        const auto whole = model->capture(tokens, {}).logits;  // [B, T, V], every map built and captured
        QVERIFY(maxDiff(sliced, whole) < 1e-4);
    }
};

QTEST_APPLESS_MAIN(TestSlicedAttention)
#include "test_sliced_attention.moc"
