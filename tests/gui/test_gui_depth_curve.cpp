// DepthCurveChart: answer / noise vs needle depth with error bars, rendered offscreen; short panels drop axis
// titles.
#include <QChart>
#include <QSvgGenerator>
#include <QValueAxis>
#include <QtTest/QtTest>
#include <cmath>

#include "tests/gui/Screenshot.h"
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
        chart.resize(900, 420);
        QTRY_VERIFY(!chart.compact());
        QVERIFY(x->isTitleVisible());
        QCOMPARE(x->titleText(), QStringLiteral("needle depth"));
    }

    void emptyChartStillRenders() {
        DepthCurveChart chart;
        QTemporaryDir dir;
        QVERIFY(chart.exportImage(dir.filePath("empty.png"), QSize(600, 300)));
    }
};

QTEST_MAIN(DepthCurveTest)
#include "test_gui_depth_curve.moc"
