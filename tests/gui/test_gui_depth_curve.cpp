// DepthCurveChart: answer / noise vs needle depth with error bars, rendered offscreen; short panels drop axis
// titles.
#include <QChart>
#include <QSvgGenerator>
#include <QValueAxis>
#include <QtTest/QtTest>
#include <cmath>

#include "tests/gui/Screenshot.h"
#include "ui/charts/AxisTicks.h"
#include "ui/charts/DepthCurveChart.h"

using namespace needlescope;

namespace {

QVector<DepthSeries> twoRuns() {
    DepthSeries standard{"standard", {}, {}, {}, {}, {}, QColor()};
    DepthSeries diff{"diff", {}, {}, {}, {}, {}, QColor()};
    for (int d = 0; d <= 100; d += 10) {
        standard.depths << d;
        diff.depths << d;
        standard.answerMean << 0.18 + 0.08 * std::cos(d / 30.0);
        standard.answerStd << 0.04;
        standard.noiseMean << 0.55 - 0.001 * d;
        standard.noiseStd << 0.05;
        diff.answerMean << 0.42 + 0.05 * std::sin(d / 25.0);
        diff.answerStd << 0.06;
        diff.noiseMean << 0.12 - 0.0015 * d;  // goes negative: DIFF maps are signed
        diff.noiseStd << 0.03;
    }
    return {standard, diff};
}

}  // namespace

class DepthCurveTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void rangesCoverMeanPlusMinusStd() {
        DepthCurveChart chart;
        chart.setSeries(twoRuns());
        QVERIFY(chart.answerRange().first <= 0.0);
        QVERIFY(chart.answerRange().second >= 0.42 + 0.05 + 0.06);
        QVERIFY(chart.noiseRange().first < -0.03 - 0.03);  // negative DIFF noise stays visible
        // 2 runs × (line + dots + 11 error bars) series per panel.
        QCOMPARE(chart.answerChart()->series().size(), 2 * (2 + 11));
    }

    void exportsOffscreenPngAndSvg() {
        DepthCurveChart chart;
        chart.setTitle("Needle depth sweep · quick");
        chart.setSeries(twoRuns());
        QVERIFY(!chart.isVisible());
        QTemporaryDir dir;
        const QString png = dir.filePath("depth.png");
        QVERIFY(chart.exportImage(png));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1200, 480));
        QVERIFY(testsupport::distinctColours(image, 2) > 20);
        QVERIFY(chart.exportImage(dir.filePath("depth.svg")));
        QVERIFY(QFileInfo(dir.filePath("depth.svg")).size() > 2000);
        QVERIFY(!chart.isVisible());
        // Keep a copy to look at.
        const QString keep =
            QDir(QStringLiteral(NEEDLESCOPE_SCREENSHOT_DEFAULT_DIR)).filePath("depth-curves.png");
        QDir().mkpath(QFileInfo(keep).path());
        QFile::remove(keep);
        QVERIFY(QFile::copy(png, keep));
    }

    void rendersToAnyPaintDevice() {
        DepthCurveChart chart;
        chart.setSeries(twoRuns());
        QImage image(900, 360, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        chart.renderTo(&image);
        QVERIFY(testsupport::distinctColours(image, 2) > 20);
    }

    void shortPanelsDropAxisTitlesSoTickLabelsFit() {
        // At 1024 × 640 Compare leaves the panels ~150 px: with axis titles Qt Charts elided every tick.
        DepthCurveChart chart;
        chart.setSeries(twoRuns());
        chart.resize(700, 170);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QTRY_VERIFY(chart.compact());
        auto* x = qobject_cast<QValueAxis*>(chart.answerChart()->axes(Qt::Horizontal).value(0));
        QVERIFY(x);
        QVERIFY(!x->isTitleVisible());
        // The y ticks are at least a label's height apart (closer, Qt Charts draws "…" for every one).
        for (QChart* panel : {chart.answerChart(), chart.noiseChart()}) {
            auto* y = qobject_cast<QValueAxis*>(panel->axes(Qt::Vertical).value(0));
            QVERIFY(y);
            const auto gap = [&] { return panel->plotArea().height() / double(y->tickCount() - 1); };
            QTRY_VERIFY2(gap() >= QFontMetricsF(y->labelsFont()).height(),
                         qPrintable(QString("%1 ticks, %2 px apart").arg(y->tickCount()).arg(gap())));
        }
        chart.resize(900, 420);
        QTRY_VERIFY(!chart.compact());
        QVERIFY(x->isTitleVisible());
        auto* tallY = qobject_cast<QValueAxis*>(chart.noiseChart()->axes(Qt::Vertical).value(0));
        QTRY_VERIFY(tallY->tickCount() >= 4);  // a tall panel gets its ticks back
        QCOMPARE(x->titleText(), QStringLiteral("needle depth"));
    }

    void niceTicksAreRoundAndNoMoreThanAsked() {
        NiceTicks t = niceTicks(0.0, 0.83, 6);  // step 0.2
        QCOMPARE(t.count, 6);
        QCOMPARE(t.low, 0.0);
        QVERIFY(std::abs(t.high - 1.0) < 1e-12);
        t = niceTicks(-0.23, 0.8, 3);  // 0.5 would need 4 ticks: step 1
        QCOMPARE(t.count, 3);
        QCOMPARE(t.low, -1.0);
        QCOMPARE(t.high, 1.0);
        t = niceTicks(0.0, 0.06, 4);  // step 0.02
        QCOMPARE(t.count, 4);
        QVERIFY(std::abs(t.high - 0.06) < 1e-12);
        QCOMPARE(niceTicks(0.3, 0.3, 6).count >= 2, true);  // an empty range still gets an axis
        QCOMPARE(ticksThatFit(70.0, 15.0, 6), 4);           // 70 / 21 px → 3 gaps
        QCOMPARE(ticksThatFit(10.0, 15.0, 6), 2);
        QCOMPARE(ticksThatFit(900.0, 15.0, 6), 6);
    }

    void emptyChartStillRenders() {
        DepthCurveChart chart;
        QTemporaryDir dir;
        QVERIFY(chart.exportImage(dir.filePath("empty.png"), QSize(600, 300)));
    }
};

QTEST_MAIN(DepthCurveTest)
#include "test_gui_depth_curve.moc"
