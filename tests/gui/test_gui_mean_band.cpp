// meanOverCurves: the mean of several runs' loss curves and their min–max band, at the steps every run has.
#include <QtTest/QtTest>
#include <cmath>

#include "ui/charts/MeanBand.h"

using namespace needlescope;

namespace {

QVector<LossSample> curve(const QVector<double>& steps, const QVector<double>& values, double tokensPerStep,
                          double secondsPerStep) {
    QVector<LossSample> out;
    for (int i = 0; i < steps.size(); ++i)
        out.push_back({steps[i], steps[i] * tokensPerStep, values[i], steps[i] * secondsPerStep});
    return out;
}

}  // namespace

class MeanBandTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void meanAndBandAtTheStepsEveryRunHas() {
        const QVector<QVector<LossSample>> curves = {
            curve({0, 1, 2}, {4.0, 3.0, 2.0}, 100, 1.0), curve({0, 1, 2, 3}, {5.0, 3.5, 2.6, 2.2}, 100, 2.0),
            curve({1, 2}, {2.5, 1.9}, 100, 3.0),  // started late: step 0 is nobody's mean
        };
        const QVector<MeanBandSample> mean = meanOverCurves(curves);
        QCOMPARE(mean.size(), 2);  // steps 1 and 2 (step 3 only the second run reached)
        QCOMPARE(mean[0].mean.step, 1.0);
        QVERIFY(std::fabs(mean[0].mean.value - (3.0 + 3.5 + 2.5) / 3) < 1e-12);
        QCOMPARE(mean[0].low, 2.5);
        QCOMPARE(mean[0].high, 3.5);
        QCOMPARE(mean[0].runs, 3);
        QCOMPARE(mean[1].mean.step, 2.0);
        QVERIFY(std::fabs(mean[1].mean.value - (2.0 + 2.6 + 1.9) / 3) < 1e-12);
        QCOMPARE(mean[1].low, 1.9);
        QCOMPARE(mean[1].high, 2.6);
        // The other x axes follow the mean too: tokens alike, training time (1 + 2 + 3) / 3 s per step.
        QVERIFY(std::fabs(mean[1].mean.tokens - 200.0) < 1e-12);
        QVERIFY(std::fabs(mean[1].mean.wallTime - 2.0 * 2.0) < 1e-12);
    }

    void unknownTokensStayUnknownAndRepeatsKeepTheLastValue() {
        QVector<LossSample> a = curve({0, 1}, {2.0, 1.0}, 10, 1.0);
        a.push_back({1, 10, 3.0, 1.0});  // step 1 again (a resumed run): its last value counts
        QVector<LossSample> b = curve({0, 1}, {4.0, 5.0}, 10, 1.0);
        b[0].tokens = std::nan("");
        const QVector<MeanBandSample> mean = meanOverCurves({a, b});
        QCOMPARE(mean.size(), 2);
        QVERIFY(std::isnan(mean[0].mean.tokens));
        QCOMPARE(mean[1].mean.value, 4.0);  // (3 + 5) / 2, not (1 + 5) / 2
        QCOMPARE(mean[1].low, 3.0);
    }

    void nothingToAverage() {
        QVERIFY(meanOverCurves({}).isEmpty());
        QVERIFY(meanOverCurves({curve({0, 1}, {1, 2}, 1, 1), {}}).isEmpty());
        QVERIFY(meanOverCurves({curve({0}, {1}, 1, 1), curve({1}, {1}, 1, 1)}).isEmpty());  // no shared step
        const QVector<MeanBandSample> one = meanOverCurves({curve({0, 5}, {1, 2}, 1, 1)});
        QCOMPARE(one.size(), 2);
        QCOMPARE(one[1].low, one[1].high);
    }
};

QTEST_MAIN(MeanBandTest)
#include "test_gui_mean_band.moc"
