// Bucket arithmetic of the needle probe on hand-built attention rows with known values: a standard row,
// a signed DIFF row (λ = 0.75, some negative weights) and a DIFF row with λ = 1.25 whose signed total is
// negative (flagged, never divided). All weights are dyadic fractions, so every expected number is exact.
#include <QtTest/QtTest>
#include <cmath>
#include <vector>

#include "core/probe/Buckets.h"
#include "core/probe/Probe.h"
#include "core/util/Error.h"

using namespace needlescope;

namespace {

// a1 − λ·a2, computed in float as the model does (exact here: dyadic values).
std::vector<float> diffRow(const std::vector<float>& a1, const std::vector<float>& a2, float lambda) {
    std::vector<float> e(a1.size());
    for (size_t i = 0; i < a1.size(); ++i) e[i] = a1[i] - lambda * a2[i];
    return e;
}

// T = 8: sink {0}, answer {3, 4}, query {6, 7}, noise {1, 2, 5}.
BucketSpans diffSpans() {
    BucketSpans s;
    s.sink = {0, 1};
    s.answer = {3, 5};
    s.query = {6, 8};
    s.contextLength = 8;
    return s;
}

const std::vector<float> kA1 = {0.25f, 0.125f, 0.125f, 0.0f, 0.25f, 0.125f, 0.0625f, 0.0625f};  // sums to 1
const std::vector<float> kA2 = {0.5f, 0.125f, 0.25f, 0.0f, 0.0f, 0.0625f, 0.0625f, 0.0f};       // sums to 1

void compareBuckets(const BucketValues& got, double sink, double answer, double noise, double query) {
    QCOMPARE(got.sink, sink);
    QCOMPARE(got.answer, answer);
    QCOMPARE(got.noise, noise);
    QCOMPARE(got.query, query);
}

}  // namespace

class TestProbeBuckets : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void standardRow() {
        // T = 10: sink {0}, noise {1, 2, 3, 6}, answer {4, 5}, query {7, 8, 9}.
        const std::vector<float> row = {0.5f,    0.0625f, 0.0625f,  0.0625f,   0.125f,
                                        0.0625f, 0.0625f, 0.03125f, 0.015625f, 0.015625f};
        BucketSpans spans;
        spans.sink = {0, 1};
        spans.answer = {4, 6};
        spans.query = {7, 10};
        spans.contextLength = 10;
        const RowBuckets b = computeBuckets(row.data(), int64_t(row.size()), spans);
        QVERIFY(!b.flagged);
        QCOMPARE(b.signedTotal, 1.0);
        QCOMPARE(b.absoluteTotal, 1.0);
        compareBuckets(b.raw, 0.5, 0.1875, 0.25, 0.0625);
        compareBuckets(b.signedNorm, 0.5, 0.1875, 0.25, 0.0625);
        compareBuckets(b.absolute, 0.5, 0.1875, 0.25, 0.0625);
        QCOMPARE(answerNoiseRatio(b.signedNorm), 0.75);
    }

    void signedDiffRow() {
        // λ = 0.75: e = [−.125, .03125, −.0625, 0, .25, .078125, .015625, .0625], Σe = 1 − λ = .25, Σ|e| =
        // .625.
        const auto e = diffRow(kA1, kA2, 0.75f);
        const RowBuckets b = computeBuckets(e.data(), int64_t(e.size()), diffSpans());
        QVERIFY(!b.flagged);
        QCOMPARE(b.signedTotal, 0.25);
        QCOMPARE(b.absoluteTotal, 0.625);
        compareBuckets(b.raw, -0.125, 0.25, 0.046875, 0.078125);
        compareBuckets(b.signedNorm, -0.5, 1.0, 0.1875, 0.3125);
        compareBuckets(b.absolute, 0.2, 0.4, 0.275, 0.125);
        QCOMPARE(b.signedNorm.sink + b.signedNorm.answer + b.signedNorm.noise + b.signedNorm.query, 1.0);
    }

    void diffRowWithLambdaAboveOneIsFlagged() {
        // λ = 1.25: Σe = 1 − λ = −.25 ≤ 0 → flagged; signed values NaN (not divided); raw and absolute kept.
        const auto e = diffRow(kA1, kA2, 1.25f);
        const RowBuckets b = computeBuckets(e.data(), int64_t(e.size()), diffSpans());
        QVERIFY(b.flagged);
        QCOMPARE(b.signedTotal, -0.25);
        QCOMPARE(b.absoluteTotal, 0.96875);
        QVERIFY(std::isnan(b.signedNorm.sink) && std::isnan(b.signedNorm.answer) &&
                std::isnan(b.signedNorm.noise) && std::isnan(b.signedNorm.query));
        compareBuckets(b.raw, -0.375, 0.25, -0.171875, 0.046875);
        compareBuckets(b.absolute, 0.375 / 0.96875, 0.25 / 0.96875, 0.265625 / 0.96875, 0.078125 / 0.96875);
        QVERIFY(std::isnan(answerNoiseRatio(b.signedNorm)));
    }

    void smallPositiveSignedTotalIsFlagged() {
        // λ close to 1: Σe = 1 − λ > 0 but a small fraction of Σ|e|. Flagged exactly when Σe < 5 % of Σ|e|,
        // recomputed here from the weights themselves.
        int flagged = 0, kept = 0;
        for (float lambda : {0.5f, 0.8f, 0.9f, 0.95f, 0.97f, 0.98f, 0.99f}) {
            const auto e = diffRow(kA1, kA2, lambda);
            double total = 0, magnitude = 0;
            for (float v : e) {
                total += v;
                magnitude += std::abs(v);
            }
            const RowBuckets b = computeBuckets(e.data(), int64_t(e.size()), diffSpans());
            QCOMPARE(b.flagged, total < 0.05 * magnitude);
            QVERIFY(total > 0);
            (b.flagged ? flagged : kept) += 1;
            if (b.flagged) QVERIFY(std::isnan(b.signedNorm.answer));
        }
        QVERIFY(flagged > 0 && kept > 0);  // the sweep crosses the threshold
    }

    void lambdaOfExactlyOneIsFlagged() {
        // Σe = 0 (up to float rounding): flagged rather than divided by ~0.
        const auto e = diffRow(kA1, kA2, 1.0f);
        QVERIFY(computeBuckets(e.data(), int64_t(e.size()), diffSpans()).flagged);
    }

    void keysAfterTheContextAreIgnored() {
        // The probe feeds the answer tokens after the prompt; a causal row gives them 0, but even non-zero
        // values there must not count.
        std::vector<float> row = {0.5f, 0.25f, 0.0f, 0.125f, 0.125f, 0.0f, 0.0f, 0.0f, 0.75f, 0.5f};
        BucketSpans spans;
        spans.sink = {0, 1};
        spans.answer = {3, 4};
        spans.query = {4, 8};
        spans.contextLength = 8;
        const RowBuckets b = computeBuckets(row.data(), int64_t(row.size()), spans);
        QCOMPARE(b.signedTotal, 1.0);
        compareBuckets(b.raw, 0.5, 0.125, 0.25, 0.125);
    }

    void rowShorterThanContextIsAnError() {
        const std::vector<float> row(4, 0.25f);
        BucketSpans spans;
        spans.contextLength = 5;
        QVERIFY_THROWS_EXCEPTION(Error, computeBuckets(row.data(), 4, spans));
    }

    void meanOverHeadsThenLayersSkipsFlaggedRows() {
        // Layer 0: two heads (signed answer .5 and .25); layer 1: one normal head (answer 1.0) and one
        // flagged. Mean over heads then layers: (.375 + 1.0) / 2 = .6875 — not the flat mean of the three (≈
        // .583).
        auto head = [](int64_t layer, int64_t h, double answer, bool flagged) {
            HeadBuckets b;
            b.layer = layer;
            b.head = h;
            b.buckets.flagged = flagged;
            const double nan = std::nan("");
            b.buckets.signedNorm =
                flagged ? BucketValues{nan, nan, nan, nan} : BucketValues{0, answer, 1 - answer, 0};
            b.buckets.absolute = {0, answer, 1 - answer, 0};
            b.buckets.raw = {0, answer, 1 - answer, 0};
            return b;
        };
        const BucketMeans m = meanOverHeadsThenLayers(std::vector<HeadBuckets>{
            head(0, 0, 0.5, false), head(0, 1, 0.25, false), head(1, 0, 1.0, false), head(1, 1, 0.5, true)});
        QCOMPARE(m.signedNorm.answer, 0.6875);
        QCOMPARE(m.absolute.answer, (0.375 + 0.75) / 2);
        QCOMPARE(m.rows, int64_t(4));
        QCOMPARE(m.flaggedRows, int64_t(1));
    }
};

QTEST_APPLESS_MAIN(TestProbeBuckets)
#include "test_probe_buckets.moc"
