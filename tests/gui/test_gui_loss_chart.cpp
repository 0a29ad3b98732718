// LossChartWidget: coalesced redraws, smoothing on full-resolution data, downsampling, log-y, x by
// tokens, truncation on resume, PNG/SVG export.
#include <QChart>
#include <QLogValueAxis>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <cmath>

#include "Screenshot.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/charts/Smoothing.h"

using namespace needlescope;

namespace {

QVector<QPointF> curve(int n, double start, double end, double noise, int offset = 0) {
    QVector<QPointF> out;
    for (int i = 0; i < n; ++i) {
        const double t = double(i) / std::max(1, n - 1);
        const double wiggle = noise * std::sin(1.3 * i + offset) * std::cos(0.37 * i);
        out.push_back(QPointF(i + 1, end + (start - end) * std::exp(-5.0 * t) + wiggle));
    }
    return out;
}

bool nonUniform(const QImage& image) {
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            if (image.pixel(x, y) != first) return true;
    return false;
}

}  // namespace

class LossChartTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void pointsAppearAfterTheCoalescingTimer() {
        LossChartWidget w;
        QSignalSpy refreshed(&w, &LossChartWidget::refreshed);
        w.appendPoints("standard train", {{1, 5.0}, {2, 4.0}, {3, 3.5}});
        QCOMPARE(w.pointCount("standard train"), 3);
        QCOMPARE(w.displayedPointCount("standard train"), 0);  // not drawn synchronously
        QTRY_COMPARE(w.displayedPointCount("standard train"), 3);
        QCOMPARE(refreshed.count(), 1);
        const QRectF r = w.axisRanges();
        QVERIFY(r.left() <= 1.0 && r.right() >= 3.0);
        QVERIFY(r.top() < 3.5 && r.bottom() > 3.5);  // y range covers the (smoothed) values
    }

    void manyAppendsAreCoalesced() {
        LossChartWidget w;
        QSignalSpy refreshed(&w, &LossChartWidget::refreshed);
        for (int i = 0; i < 500; ++i) w.appendPoints("diff train", {QPointF(i, 10.0 / (i + 1))});
        QTRY_COMPARE(w.displayedPointCount("diff train"), 500);
        QVERIFY2(refreshed.count() <= 2, qPrintable(QString::number(refreshed.count())));
    }

    void smoothingUsesTheDebiasedEma() {
        LossChartWidget w;
        w.setSmoothing(0.5);
        w.setSmoothingEnabled(true);
        w.appendPoints("s", {{1, 1.0}, {2, 2.0}, {3, 3.0}, {4, 4.0}});
        w.refreshNow();
        const QVector<QPointF> shown = w.displayedPoints("s");
        const std::vector<double> expected = emaDebiased({1, 2, 3, 4}, 0.5);
        QCOMPARE(shown.size(), 4);
        for (int i = 0; i < 4; ++i) QVERIFY(std::fabs(shown[i].y() - expected[size_t(i)]) < 1e-12);
        w.setSmoothingEnabled(false);
        w.refreshNow();
        QCOMPARE(w.displayedPoints("s").at(1).y(), 2.0);
        w.setSmoothingEnabled(true);
        w.setSmoothing(0.0);  // β = 0 is no smoothing either
        w.refreshNow();
        QCOMPARE(w.displayedPoints("s").at(1).y(), 2.0);
    }

    void longSeriesAreDownsampledKeepingSpikes() {
        LossChartWidget w;
        w.setSmoothingEnabled(false);
        QVector<QPointF> points = curve(20000, 8.0, 3.0, 0.02);
        points[12345].setY(50.0);
        w.appendPoints("spiky", points);
        w.refreshNow();
        QCOMPARE(w.pointCount("spiky"), 20000);
        QVERIFY(w.displayedPointCount("spiky") <= 2000);
        QVERIFY(w.displayedPoints("spiky").contains(QPointF(12346, 50.0)));
        QVERIFY(w.axisRanges().bottom() >= 50.0);
    }

    void logYLeavesOutNonPositiveValues() {
        LossChartWidget w;
        w.setSmoothingEnabled(false);
        w.appendPoints("s", {{1, 10.0}, {2, 0.0}, {3, -1.0}, {4, 0.5}});
        w.setLogY(true);
        w.refreshNow();
        QCOMPARE(w.displayedPointCount("s"), 2);
        QVERIFY(qobject_cast<QLogValueAxis*>(w.chart()->axes(Qt::Vertical).value(0)));
        QVERIFY(w.axisRanges().top() > 0.0);
        QVERIFY(w.axisRanges().top() < 0.5);
        w.setLogY(false);
        w.refreshNow();
        QCOMPARE(w.displayedPointCount("s"), 4);
        QCOMPARE(w.chart()->axes(Qt::Vertical).size(), 1);
    }

    void tokensAxis() {
        LossChartWidget w;
        w.setSmoothingEnabled(false);
        w.appendSamples("with tokens", {{1, 4096, 5.0}, {2, 8192, 4.0}});
        w.appendPoints("steps only", {{1, 5.0}, {2, 4.0}});
        w.setXAxis(LossXAxis::Tokens);
        w.refreshNow();
        QCOMPARE(w.displayedPoints("with tokens").at(1).x(), 8192.0);
        QCOMPARE(w.displayedPointCount("steps only"), 0);
        w.setXAxis(LossXAxis::Steps);
        w.refreshNow();
        QCOMPARE(w.displayedPoints("with tokens").at(1).x(), 2.0);
    }

    void truncateAndClear() {
        LossChartWidget w;
        w.appendPoints("run", curve(100, 5.0, 3.0, 0.0));
        w.truncateAfterStep("run", 40);
        QCOMPARE(w.pointCount("run"), 40);
        w.clear();
        QVERIFY(w.seriesNames().isEmpty());
        w.refreshNow();
        QCOMPARE(w.chart()->series().size(), 0);
    }

    void exportsPngAndSvg() {
        LossChartWidget w;
        w.appendPoints("standard train", curve(300, 9.0, 4.0, 0.2));
        QTemporaryDir dir;
        // Never shown: laid out at the default export size.
        QVERIFY(w.exportImage(dir.filePath("loss.png")));
        const QImage png(dir.filePath("loss.png"));
        QVERIFY(!png.isNull());
        QVERIFY(nonUniform(png));
        QVERIFY(w.exportImage(dir.filePath("loss.svg"), QSize(800, 500)));
        QFile svg(dir.filePath("loss.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("<path") || text.contains("<polyline"));
        // Shown: exported at its own size, scaled to the requested one.
        w.resize(700, 450);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.exportImage(dir.filePath("shown.png"), QSize(1400, 900)));
        QCOMPARE(QImage(dir.filePath("shown.png")).size(), QSize(1400, 900));
    }

    void screenshot() {
        LossChartWidget w;
        w.setTitle("quick · paired experiment");
        const QColor blue(0x00, 0x72, 0xB2), vermillion(0xD5, 0x5E, 0x00);
        w.setSeriesStyle("standard train", blue);
        w.setSeriesStyle("standard val", blue, Qt::DashLine);
        w.setSeriesStyle("diff train", vermillion);
        w.setSeriesStyle("diff val", vermillion, Qt::DashLine);
        w.appendPoints("standard train", curve(3000, 10.4, 4.3, 0.35));
        w.appendPoints("diff train", curve(3000, 10.4, 4.0, 0.35, 7));
        QVector<QPointF> sv, dv;
        for (int i = 100; i <= 3000; i += 100) {
            sv.push_back(QPointF(i, 4.45 + 6.0 * std::exp(-5.0 * i / 3000.0)));
            dv.push_back(QPointF(i, 4.15 + 6.0 * std::exp(-5.0 * i / 3000.0)));
        }
        w.appendPoints("standard val", sv);
        w.appendPoints("diff val", dv);
        w.setSmoothing(0.9);
        QVERIFY(!testsupport::saveScreenshot(&w, "loss-chart", QSize(960, 560)).isEmpty());
        w.setLogY(true);
        QVERIFY(!testsupport::saveScreenshot(&w, "loss-chart-log", QSize(960, 560)).isEmpty());
    }
};

QTEST_MAIN(LossChartTest)
#include "test_gui_loss_chart.moc"
