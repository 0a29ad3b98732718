// LossChartWidget: coalesced redraws, smoothing on full-resolution data, downsampling, log-y (ticks at
// decades or 1-2-5 values), x by tokens or training time, truncation on resume, a lone point drawn as a
// dot, legend entries (line samples, none unlabelled after toggling Raw), PNG/SVG export.
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <cmath>

#include "Screenshot.h"
#include "ui/charts/AxisTicks.h"
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

QLineSeries* lineOf(const LossChartWidget& w, const QString& name) {
    for (QAbstractSeries* s : w.chart()->series())
        if (s->name() == name) return qobject_cast<QLineSeries*>(s);
    return nullptr;
}

// Every tick inside [lo, hi], increasing, and either all of the form {1, 2, 5} × 10^k or evenly spaced
// by such a step.
QString checkRoundTicks(const QVector<AxisTick>& ticks, double lo, double hi) {
    const auto mantissa = [](double v) {
        const double m = v / std::pow(10.0, std::floor(std::log10(v) + 1e-9));
        return std::round(m * 1e6) / 1e6;
    };
    const auto oneTwoFive = [](double m) { return m == 1.0 || m == 2.0 || m == 5.0 || m == 10.0; };
    if (ticks.size() < 2) return QStringLiteral("fewer than two ticks");
    bool all125 = true;
    for (int i = 0; i < ticks.size(); ++i) {
        const double v = ticks[i].value;
        if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) return QStringLiteral("%1 outside the range").arg(v);
        if (i > 0 && v <= ticks[i - 1].value) return QStringLiteral("not increasing at %1").arg(v);
        all125 = all125 && oneTwoFive(mantissa(v));
    }
    if (all125) return {};
    const double step = ticks[1].value - ticks[0].value;
    if (!oneTwoFive(mantissa(step))) return QStringLiteral("step %1 is not 1-2-5").arg(step);
    for (int i = 1; i < ticks.size(); ++i) {
        const double d = ticks[i].value - ticks[i - 1].value;
        if (std::fabs(d - step) > 1e-9 * step) return QStringLiteral("uneven step at %1").arg(ticks[i].value);
        const double n = ticks[i].value / step;
        if (std::fabs(n - std::round(n)) > 1e-6)
            return QStringLiteral("%1 not a multiple").arg(ticks[i].value);
    }
    return {};
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

    void aLonePointIsDrawnAsADot() {
        LossChartWidget w;
        w.setSmoothingEnabled(false);
        const QColor blue(0x00, 0x72, 0xB2), vermillion(0xD5, 0x5E, 0x00);
        w.setSeriesStyle("train", blue);
        w.setSeriesStyle("val", vermillion, Qt::DashLine);
        w.appendPoints("train", curve(50, 6.0, 4.0, 0.0));
        w.appendPoints("val", {{25, 5.5}});  // the first evaluation: one point, no line
        w.resize(640, 420);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.refreshNow();
        QLineSeries* val = lineOf(w, "val");
        QVERIFY(val);
        QCOMPARE(val->count(), 1);
        QVERIFY(val->pointsVisible());
        QVERIFY(!lineOf(w, "train")->pointsVisible());  // a dense solid curve stays a plain line
        // Pixels in the series colour where the point is.
        QCoreApplication::processEvents();
        const QImage image = w.chartView()->grab().toImage();
        const QPoint at = w.chartView()->mapFromScene(
            w.chart()->mapToScene(w.chart()->mapToPosition(QPointF(25, 5.5), val)));
        int hits = 0;
        for (int dy = -2; dy <= 2; ++dy)
            for (int dx = -2; dx <= 2; ++dx) {
                const QColor c = image.pixelColor(at + QPoint(dx, dy));
                hits += std::abs(c.red() - vermillion.red()) < 40 &&
                        std::abs(c.green() - vermillion.green()) < 40 &&
                        std::abs(c.blue() - vermillion.blue()) < 40;
            }
        QVERIFY2(hits >= 9, qPrintable(QString::number(hits)));
    }

    void togglingRawLeavesNoUnlabelledLegendEntry() {
        LossChartWidget w;
        w.appendPoints("standard train", curve(80, 6.0, 4.0, 0.2));
        w.appendPoints("diff train", curve(80, 6.0, 3.8, 0.2, 3));
        w.show();  // a marker counts as visible only in a shown chart
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const auto check = [&w] {
            w.refreshNow();
            int visible = 0;
            for (QLegendMarker* m : w.chart()->legend()->markers())
                if (m->isVisible()) {
                    ++visible;
                    if (m->label().isEmpty()) return false;
                }
            return visible == 2;
        };
        QVERIFY(check());
        for (bool raw : {false, true, false, true}) {
            w.setShowRaw(raw);
            QVERIFY2(check(), raw ? "raw on" : "raw off");
        }
        w.setSmoothingEnabled(false);  // hides the raw curves …
        QVERIFY(check());
        w.setSmoothingEnabled(true);  // … and shows them again
        QVERIFY(check());
    }

    void legendEntriesAreLineSamples() {
        LossChartWidget w;
        w.setSeriesStyle("train", Qt::blue);
        w.setSeriesStyle("val", Qt::blue, Qt::DashLine);
        w.appendPoints("train", curve(20, 6.0, 4.0, 0.0));
        w.appendPoints("val", curve(5, 6.0, 4.0, 0.0));
        w.refreshNow();
        QCOMPARE(w.chart()->legend()->markerShape(), QLegend::MarkerShapeFromSeries);
        const QLegendMarker* train = w.chart()->legend()->markers(lineOf(w, "train")).value(0);
        const QLegendMarker* val = w.chart()->legend()->markers(lineOf(w, "val")).value(0);
        QVERIFY(train && val);
        QCOMPARE(train->pen().style(), Qt::SolidLine);
        QVERIFY(val->pen().style() != Qt::SolidLine);  // validation: dashed in the legend too
        QCOMPARE(val->pen().color(), QColor(Qt::blue));
        QVERIFY(lineOf(w, "val")->pointsVisible());  // a sparse dashed curve marks its measurements
    }

    void logTicksAreDecadesOrOneTwoFive() {
        const QVector<AxisTick> wide = logTicks(0.01, 20.0);
        QStringList labels;
        for (const AxisTick& t : wide) labels << t.label;
        QCOMPARE(labels, (QStringList{"0.01", "0.1", "1", "10"}));
        labels.clear();
        for (const AxisTick& t : logTicks(0.3, 12.0)) labels << t.label;
        QCOMPARE(labels, (QStringList{"0.5", "1", "2", "5", "10"}));
        labels.clear();
        for (const AxisTick& t : logTicks(3.04, 11.96)) labels << t.label;  // a language-model loss
        QCOMPARE(labels, (QStringList{"4", "6", "8", "10"}));
        for (double lo : {0.0007, 0.013, 0.25, 1.0, 2.9, 3.3, 7.0, 42.0})
            for (double factor : {1.05, 1.2, 1.5, 2.0, 3.0, 5.0, 10.0, 100.0, 1e4, 1e9}) {
                const QString problem = checkRoundTicks(logTicks(lo, lo * factor), lo, lo * factor);
                QVERIFY2(problem.isEmpty(),
                         qPrintable(QString("%1…%2: %3").arg(lo).arg(lo * factor).arg(problem)));
            }
        QVERIFY(logTicks(0.0, 1.0).isEmpty());  // a log axis has no zero
        QVERIFY(logTicks(2.0, 1.0).isEmpty());

        // On the chart: labels at those values, the log axis itself (unlabelled ticks at powers) hidden.
        LossChartWidget w;
        w.setSmoothingEnabled(false);
        w.appendPoints("s", {{1, 10.4}, {2, 6.0}, {3, 3.5}});
        w.setLogY(true);
        w.refreshNow();
        QCategoryAxis* ticks = w.logTicks();
        QVERIFY(ticks);
        QVERIFY(ticks->isVisible());
        QCOMPARE(ticks->categoriesLabels(), (QStringList{"4", "6", "8", "10"}));
        QVERIFY(std::fabs(ticks->endValue("6") - std::log10(6.0)) < 1e-12);
        QVERIFY(std::fabs(ticks->min() - std::log10(w.axisRanges().top())) < 1e-12);
        QVERIFY(std::fabs(ticks->max() - std::log10(w.axisRanges().bottom())) < 1e-12);
        auto* log = qobject_cast<QLogValueAxis*>(w.chart()->axes(Qt::Vertical).value(0));
        QVERIFY(log);
        QVERIFY(!log->isVisible());
        w.setLogY(false);
        QVERIFY(!w.logTicks());
    }

    void durationTicksAreRoundTimes() {
        QCOMPARE(durationLabel(0), QString("0:00"));
        QCOMPARE(durationLabel(75), QString("1:15"));
        QCOMPARE(durationLabel(3725), QString("1:02:05"));
        double step = 0;
        QStringList labels;
        for (const AxisTick& t : durationTicks(0, 600, &step)) labels << t.label;
        QCOMPARE(step, 120.0);
        QCOMPARE(labels, (QStringList{"0:00", "2:00", "4:00", "6:00", "8:00", "10:00"}));
        labels.clear();
        for (const AxisTick& t : durationTicks(0, 4 * 3600.0, &step)) labels << t.label;
        QCOMPARE(step, 3600.0);
        QCOMPARE(labels.last(), QString("4:00"));  // h:mm: every label in one format
        labels.clear();
        for (const AxisTick& t : durationTicks(0, 5400, &step)) labels << t.label;
        QCOMPARE(step, 900.0);
        QCOMPARE(labels, (QStringList{"0:00", "0:15", "0:30", "0:45", "1:00", "1:15", "1:30"}));
        QCOMPARE(durationFormat(5400, 900), QString("h:mm"));
        QCOMPARE(durationFormat(5400, 30), QString("h:mm:ss"));
        QCOMPARE(durationLabel(900, "m:ss"), QString("15:00"));
        QCOMPARE(durationLabel(3725, "h:mm"), QString("1:02"));
    }

    void wallClockAxisUsesTheStoredTimes() {
        LossChartWidget w;
        w.setSmoothingEnabled(false);
        QSignalSpy changed(&w, &LossChartWidget::viewOptionsChanged);
        w.appendSamples("run", {{1, 100, 5.0, 12.5}, {2, 200, 4.0, 30.0}, {3, 300, 3.5, 61.0}});
        w.appendSamples("no times", {{1, 100, 5.0}});
        auto* combo = w.findChild<QComboBox*>();
        QVERIFY(combo);
        QCOMPARE(combo->count(), 3);
        combo->setCurrentIndex(2);
        QCOMPARE(w.xAxis(), LossXAxis::WallClock);
        QCOMPARE(changed.count(), 1);
        w.refreshNow();
        QCOMPARE(w.displayedPoints("run"), (QVector<QPointF>{{12.5, 5.0}, {30.0, 4.0}, {61.0, 3.5}}));
        QCOMPARE(w.displayedPointCount("no times"), 0);
        QCategoryAxis* ticks = w.timeTicks();
        QVERIFY(ticks);
        QVERIFY(ticks->isVisible());
        QCOMPARE(ticks->categoriesLabels().first(), QString("0:10"));
        QCOMPARE(ticks->categoriesLabels().last(), QString("1:10"));
        QVERIFY(w.axisRanges().left() <= 12.5 && w.axisRanges().right() >= 61.0);
        QVERIFY(w.note()->isHidden());
        w.removeSeries("run");  // only curves without times: said, not an empty chart
        w.refreshNow();
        QVERIFY(!w.note()->isHidden());
        QVERIFY(w.note()->text().contains("training times"));
        w.setXAxis(LossXAxis::Steps);
        w.refreshNow();
        QVERIFY(w.note()->isHidden());
        QVERIFY(!w.timeTicks());
        QCOMPARE(combo->currentIndex(), 0);
    }

    void wallClockScreenshot() {
        LossChartWidget w;
        w.setTitle("training time on x, log y");
        QVector<LossSample> train, val;
        for (int i = 1; i <= 2000; ++i) {
            const double loss = 3.2 + 7.0 * std::exp(-4.0 * i / 2000.0) + 0.2 * std::sin(1.7 * i);
            train.push_back({double(i), 4096.0 * i, loss, 2.7 * i});  // 2.7 s a step: 1:30:00 in all
            if (i % 250 == 0) val.push_back({double(i), 4096.0 * i, loss + 0.3, 2.7 * i});
        }
        w.setSeriesStyle("diff train", QColor(0xD5, 0x5E, 0x00));
        w.setSeriesStyle("diff val", QColor(0xD5, 0x5E, 0x00), Qt::DashLine);
        w.appendSamples("diff train", train);
        w.appendSamples("diff val", val);
        w.setXAxis(LossXAxis::WallClock);
        w.setLogY(true);
        QVERIFY(!testsupport::saveScreenshot(&w, "loss-chart-time", QSize(960, 560)).isEmpty());
        QVERIFY(w.timeTicks()->categoriesLabels().contains("1:30"));
        QCOMPARE(w.timeTicks()->titleText(), QString("training time (h:mm)"));
    }

    void xAxisNamesRoundTrip() {
        for (LossXAxis a : {LossXAxis::Steps, LossXAxis::Tokens, LossXAxis::WallClock})
            QCOMPARE(lossXAxisFromName(lossXAxisName(a), LossXAxis::Steps), a);
        QCOMPARE(lossXAxisFromName("furlongs", LossXAxis::Tokens), LossXAxis::Tokens);
        QCOMPARE(lossXAxisFromName(QString(), LossXAxis::Steps), LossXAxis::Steps);
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
        w.setLogY(false);
        w.appendPoints("one val", {{1500, 6.0}});
        w.setSeriesStyle("one val", QColor(0x00, 0x9E, 0x73), Qt::DashLine);
        QVERIFY(!testsupport::saveScreenshot(&w, "loss-chart-single-point", QSize(960, 560)).isEmpty());
    }
};

QTEST_MAIN(LossChartTest)
#include "test_gui_loss_chart.moc"
