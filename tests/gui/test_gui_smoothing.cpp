// Debiased EMA (TensorBoard's fix): s_t = β s_{t−1} + (1 − β) y_t, shown as s_t / (1 − β^t).
#include <QtTest/QtTest>
#include <cmath>

#include "ui/charts/Smoothing.h"

using namespace needlescope;

class SmoothingTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void matchesHandComputation() {
        // β = 0.5, y = 1, 2, 3, 4:
        //   t=1: s = 0.5            → 0.5    / 0.5    = 1
        //   t=2: s = 0.25 + 1 = 1.25 → 1.25   / 0.75   = 1.666…
        //   t=3: s = 0.625 + 1.5     → 2.125  / 0.875  = 2.428571…
        //   t=4: s = 1.0625 + 2      → 3.0625 / 0.9375 = 3.266…
        const std::vector<double> out = emaDebiased({1, 2, 3, 4}, 0.5);
        QCOMPARE(out.size(), size_t(4));
        QVERIFY(std::fabs(out[0] - 1.0) < 1e-12);
        QVERIFY(std::fabs(out[1] - 1.25 / 0.75) < 1e-12);
        QVERIFY(std::fabs(out[2] - 2.125 / 0.875) < 1e-12);
        QVERIFY(std::fabs(out[3] - 3.0625 / 0.9375) < 1e-12);
        QVERIFY(std::fabs(out[3] - 3.2666666666666667) < 1e-12);
    }

    void firstValueIsNotPulledTowardsZero() {
        // Without the correction the first point would be (1 − β)·y = 1.0 instead of 10.
        const std::vector<double> out = emaDebiased({10, 0}, 0.9);
        QVERIFY(std::fabs(out[0] - 10.0) < 1e-12);
        // t=2: s = 0.9·1.0 + 0.1·0 = 0.9, debias 1 − 0.81 = 0.19 → 4.7368…
        QVERIFY(std::fabs(out[1] - 0.9 / 0.19) < 1e-12);
    }

    void zeroBetaIsIdentity() {
        const std::vector<double> in{3.0, -1.0, 7.5};
        QCOMPARE(emaDebiased(in, 0.0), in);
    }

    void nonFiniteValuesPassThroughWithoutPoisoningTheAverage() {
        const std::vector<double> out = emaDebiased({1.0, std::nan(""), 3.0}, 0.5);
        QVERIFY(std::isnan(out[1]));
        // The NaN is skipped: the third value is the second step of the average, 1.75 / 0.75.
        QVERIFY(std::fabs(out[2] - 1.75 / 0.75) < 1e-12);
    }

    void incrementalEqualsBatch() {
        std::vector<double> y;
        for (int i = 0; i < 500; ++i) y.push_back(std::sin(i * 0.1) + 0.01 * i);
        const std::vector<double> batch = emaDebiased(y, 0.95);
        DebiasedEma ema(0.95);
        for (size_t i = 0; i < y.size(); ++i) QCOMPARE(ema.push(y[i]), batch[i]);
        QCOMPARE(ema.count(), 500);
    }

    void constantSeriesStaysConstant() {
        for (double v : emaDebiased(std::vector<double>(50, 2.5), 0.99)) QVERIFY(std::fabs(v - 2.5) < 1e-9);
    }
};

QTEST_GUILESS_MAIN(SmoothingTest)
#include "test_gui_smoothing.moc"
