// The memory-lean autograd functions (issue 10: SwiGLU's down projection, RMSNorm, DIFF's value mix)
// against the plain op chains they replace: the same values and the same gradients for every input
// (≤ 1e-6), under a random upstream gradient, in no-grad mode, and through a whole DIFF decoder
// (causality of its maps is tested in test_model).
#include <torch/torch.h>

#include <QtTest/QtTest>

#include "core/model/LeanAutograd.h"

using namespace needlescope;

namespace {

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

torch::Tensor leaf(const torch::Tensor& t) { return t.clone().requires_grad_(true); }

// Random row-stochastic causal maps, as a softmax would give: [B, h, 2, T, T].
torch::Tensor causalProbs(int64_t B, int64_t h, int64_t T) {
    auto scores = torch::randn({B, h, 2, T, T}, torch::kDouble);  // [B, h, 2, T, T]
    auto mask = torch::ones({T, T}, torch::kBool).triu(1);        // [T, T]
    return torch::softmax(scores.masked_fill(mask, -INFINITY), -1);
}

}  // namespace

class TestLeanAutograd : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void swigluDownMatchesThePlainChain() {
        const int64_t B = 3, T = 5, F = 7, D = 4;
        const auto gateUp0 = torch::randn({B, T, 2 * F}, torch::kDouble);  // [B, T, 2F]
        const auto w20 = torch::randn({D, F}, torch::kDouble);             // [D, F]
        const auto upstream = torch::randn({B, T, D}, torch::kDouble);     // [B, T, D]

        auto gateUpA = leaf(gateUp0), w2A = leaf(w20);
        auto halves = gateUpA.chunk(2, -1);
        auto plain = torch::nn::functional::linear(torch::silu(halves[0]) * halves[1], w2A);  // [B, T, D]
        (plain * upstream).sum().backward();

        auto gateUpB = leaf(gateUp0), w2B = leaf(w20);
        auto lean = swigluDown(gateUpB, w2B);  // [B, T, D]
        (lean * upstream).sum().backward();

        QVERIFY(maxDiff(plain, lean) < 1e-12);
        QVERIFY(maxDiff(gateUpA.grad(), gateUpB.grad()) < 1e-12);
        QVERIFY(maxDiff(w2A.grad(), w2B.grad()) < 1e-12);
        QVERIFY(gateUpB.grad().abs().sum().item<double>() > 0);  // the gradient really flowed
    }

    void rmsNormMatchesThePlainChain() {
        const int64_t B = 3, T = 5, W = 8;
        const double eps = 1e-5;
        const auto x0 = torch::randn({B, T, W}, torch::kDouble);        // [B, T, W]
        const auto weight0 = torch::randn({W}, torch::kDouble);         // [W]
        const auto upstream = torch::randn({B, T, W}, torch::kDouble);  // [B, T, W]

        auto xA = leaf(x0), wA = leaf(weight0);
        auto plain = xA / torch::sqrt(xA.pow(2).mean(-1, true) + eps) * wA;  // [B, T, W]
        (plain * upstream).sum().backward();

        auto xB = leaf(x0), wB = leaf(weight0);
        auto lean = leanRmsNorm(xB, wB, eps);  // [B, T, W]
        (lean * upstream).sum().backward();

        QVERIFY(maxDiff(plain, lean) < 1e-12);
        QVERIFY(maxDiff(xA.grad(), xB.grad()) < 1e-12);
        QVERIFY(maxDiff(wA.grad(), wB.grad()) < 1e-12);
        QVERIFY(xB.grad().abs().sum().item<double>() > 0);
        // Each output row has unit RMS before the weight: an invariant the plain formula does not share code
        // with.
        const auto unit = leanRmsNorm(x0, torch::ones({W}, torch::kDouble), 0.0);  // [B, T, W]
        QVERIFY(maxDiff(unit.pow(2).mean(-1), torch::ones({B, T}, torch::kDouble)) < 1e-12);
    }

    void differentialMixMatchesThePlainChain_data() {
        QTest::addColumn<bool>("perRow");
        QTest::newRow("DIFF: one λ") << false;
        QTest::newRow("DIFF V2: λ per head and row") << true;
    }

    void differentialMixMatchesThePlainChain() {
        QFETCH(bool, perRow);
        const int64_t B = 2, h = 3, T = 6, e = 4;
        const auto probs0 = causalProbs(B, h, T);                                // [B, h, 2, T, T]
        const auto lambda0 = perRow ? torch::rand({B, h, T, 1}, torch::kDouble)  // [B, h, T, 1]
                                    : torch::tensor(0.37, torch::kDouble);       // []
        const auto v0 = torch::randn({B, h, T, e}, torch::kDouble);              // [B, h, T, e]
        const auto upstream = torch::randn({B, h, T, e}, torch::kDouble);        // [B, h, T, e]

        auto pA = leaf(probs0), lA = leaf(lambda0), vA = leaf(v0);
        auto plain = torch::matmul(pA.select(2, 0) - lA * pA.select(2, 1), vA);  // [B, h, T, e]
        (plain * upstream).sum().backward();

        auto pB = leaf(probs0), lB = leaf(lambda0), vB = leaf(v0);
        auto lean = differentialMix(pB, lB, vB);  // [B, h, T, e]
        (lean * upstream).sum().backward();

        QVERIFY(maxDiff(plain, lean) < 1e-12);
        QVERIFY(maxDiff(pA.grad(), pB.grad()) < 1e-12);
        QVERIFY(maxDiff(vA.grad(), vB.grad()) < 1e-12);
        QVERIFY(lB.grad().sizes() == lambda0.sizes());
        QVERIFY(maxDiff(lA.grad(), lB.grad()) < 1e-12);
        QVERIFY(lB.grad().abs().sum().item<double>() > 0);  // λ really gets a gradient
    }

    void differentialMixAcceptsNonContiguousValues() {
        // The DIFF layer passes v as a transposed view of the fused projection.
        const int64_t B = 2, h = 2, T = 4, e = 3;
        const auto probs = causalProbs(B, h, T);                                    // [B, h, 2, T, T]
        const auto lambda = torch::tensor(-0.2, torch::kDouble);                    // []
        const auto v = torch::randn({B, T, h, e}, torch::kDouble).transpose(1, 2);  // [B, h, T, e]
        QVERIFY(!v.is_contiguous());
        const auto expected =
            torch::matmul(probs.select(2, 0) - lambda * probs.select(2, 1), v);  // [B, h, T, e]
        QVERIFY(maxDiff(differentialMix(probs, lambda, v), expected) < 1e-12);
        auto vLeaf = leaf(v);
        differentialMix(probs, lambda, vLeaf).sum().backward();
        const auto expectedGrad = (probs.select(2, 0) - lambda * probs.select(2, 1))
                                      .transpose(-1, -2)
                                      .sum(-1, true)
                                      .expand({B, h, T, e});
        QVERIFY(maxDiff(vLeaf.grad(), expectedGrad) < 1e-12);
    }

    void noGradModeGivesTheSameValues() {
        const auto gateUp = torch::randn({2, 3, 8}), w2 = torch::randn({5, 4});
        torch::Tensor withGraph = swigluDown(gateUp.clone().requires_grad_(true), w2).detach();
        torch::NoGradGuard noGrad;
        const auto halves = gateUp.chunk(2, -1);
        const auto expected =
            torch::nn::functional::linear(torch::silu(halves[0]) * halves[1], w2);  // [2, 3, 5]
        QVERIFY(maxDiff(swigluDown(gateUp, w2), expected) < 1e-6);
        QVERIFY(maxDiff(swigluDown(gateUp, w2), withGraph) < 1e-6);
        QVERIFY(!swigluDown(gateUp, w2).requires_grad());
    }
};

QTEST_APPLESS_MAIN(TestLeanAutograd)
#include "test_lean_autograd.moc"
