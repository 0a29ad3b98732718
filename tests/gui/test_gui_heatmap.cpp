// HeatmapWidget: rendered colours of a known negative cell, hover and click signals, geometry, export.
#include <QMouseEvent>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <cmath>

#include "Screenshot.h"
#include "ui/widgets/HeatmapWidget.h"

using namespace needlescope;

namespace {

// 4 × 6 with one strongly negative cell at (1, 2) and a zero at (0, 0).
std::vector<float> smallMatrix() {
    std::vector<float> v(24, 0.1f);
    v[0] = 0.0f;
    v[1 * 6 + 2] = -0.5f;
    v[3 * 6 + 5] = 0.8f;
    return v;
}

QColor sample(QWidget& w, const QPoint& p) { return w.grab().toImage().pixelColor(p); }

void moveMouse(QWidget& w, const QPoint& pos) {
    QMouseEvent move(QEvent::MouseMove, QPointF(pos), QPointF(w.mapToGlobal(pos)), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QApplication::sendEvent(&w, &move);
}

void click(QWidget& w, const QPoint& pos) {
    QMouseEvent press(QEvent::MouseButtonPress, QPointF(pos), QPointF(w.mapToGlobal(pos)), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &press);
}

QStringList tokens(int n) {
    static const char* words[] = {"▁The",   "▁cat",    "▁sat", "▁on", "▁the", "▁mat", ".",    "▁A",
                                  "▁magic", "▁number", "▁is",  "▁4",  "2",    "7",    "▁and", "\n"};
    QStringList out;
    for (int i = 0; i < n; ++i) out << QString::fromUtf8(words[i % 16]);
    return out;
}

// A signed causal map like a DIFF head: a sink on column 0, a needle span that attracts attention, and
// negative noise elsewhere.
std::vector<float> diffLikeMap(int n) {
    std::vector<float> v(size_t(n) * n, 0.0f);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c <= r; ++c) {
            float x = 0.02f * std::sin(0.9f * r + 1.7f * c) - 0.01f;
            if (c == 0) x = 0.25f;
            if (c >= 20 && c < 24 && r >= 40) x = 0.3f - 0.02f * (c - 20);
            if (c == r) x += 0.05f;
            v[size_t(r) * n + c] = x;
        }
    return v;
}

}  // namespace

class HeatmapTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void negativeCellIsBlueInDivergingMode() {
        HeatmapWidget w;
        w.setMatrix(4, 6, smallMatrix());
        w.setScaleMode(ColorScale::Mode::Diverging);
        w.resize(400, 300);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QColor negative = sample(w, w.cellRect(1, 2).center());
        QVERIFY2(negative.blue() > negative.red() + 60, qPrintable(negative.name()));
        QCOMPARE(negative, w.cellColor(1, 2));
        const QColor zero = sample(w, w.cellRect(0, 0).center());
        QCOMPARE(zero, QColor(255, 255, 255));
        const QColor positive = sample(w, w.cellRect(3, 5).center());
        QVERIFY2(positive.red() > positive.blue() + 60, qPrintable(positive.name()));

        w.setScaleMode(ColorScale::Mode::Sequential);
        const QColor sequential = sample(w, w.cellRect(1, 2).center());
        QVERIFY(sequential != negative);
        QCOMPARE(sequential, QColor(68, 1, 84));  // the bottom of viridis: -0.5 is the range minimum
        QCOMPARE(sequential, w.cellColor(1, 2));
    }

    void hoverEmitsRowColumnAndValue() {
        HeatmapWidget w;
        w.setMatrix(4, 6, smallMatrix());
        w.setRowLabels({"q0", "q1", "q2", "q3"});
        w.setColumnLabels({"k0", "k1", "k2", "k3", "k4", "k5"});
        w.resize(400, 300);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy spy(&w, &HeatmapWidget::hovered);
        moveMouse(w, w.cellRect(1, 2).center());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 1);
        QCOMPARE(spy.at(0).at(1).toInt(), 2);
        QCOMPARE(spy.at(0).at(2).toFloat(), -0.5f);
        QVERIFY(w.hoverText().contains("q1"));
        QVERIFY(w.hoverText().contains("k2"));
        moveMouse(w, w.cellRect(1, 2).center() + QPoint(1, 0));  // same cell: no new signal
        QCOMPARE(spy.count(), 1);
        QSignalSpy left(&w, &HeatmapWidget::hoverLeft);
        moveMouse(w, QPoint(1, 1));
        QCOMPARE(left.count(), 1);
        QVERIFY(w.hoverText().isEmpty());
    }

    void clickEmitsCell() {
        HeatmapWidget w;
        w.setMatrix(4, 6, smallMatrix());
        w.resize(400, 300);
        QSignalSpy spy(&w, &HeatmapWidget::cellClicked);
        click(w, w.cellRect(3, 4).center());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 3);
        QCOMPARE(spy.at(0).at(1).toInt(), 4);
    }

    void cellGeometryRoundTrips() {
        HeatmapWidget w;
        w.setMatrix(7, 13, std::vector<float>(91, 0.5f));
        for (const QSize size : {QSize(333, 217), QSize(500, 401), QSize(160, 120)}) {
            w.resize(size);
            for (int r = 0; r < 7; ++r)
                for (int c = 0; c < 13; ++c) {
                    const QRect cell = w.cellRect(r, c);
                    QVERIFY(!cell.isEmpty());
                    int rr = -1, cc = -1;
                    QVERIFY(w.cellAt(cell.topLeft(), &rr, &cc));
                    QCOMPARE(rr, r);
                    QCOMPARE(cc, c);
                    QVERIFY(w.cellAt(cell.bottomRight(), &rr, &cc));
                    QCOMPARE(rr, r);
                    QCOMPARE(cc, c);
                }
        }
    }

    void sharedFixedRangeGivesComparableColours() {
        HeatmapWidget a, b;
        a.setMatrix(1, 2, {0.5f, 1.0f});
        b.setMatrix(1, 2, {0.5f, 0.6f});
        QVERIFY(a.cellColor(0, 0) != b.cellColor(0, 0));  // each fitted to its own data
        a.setFixedRange(0.0f, 1.0f);
        b.setFixedRange(0.0f, 1.0f);
        QCOMPARE(a.cellColor(0, 0), b.cellColor(0, 0));
        QCOMPARE(a.colorScale(), b.colorScale());
        a.setScaleMode(ColorScale::Mode::Diverging);
        QCOMPARE(a.colorScale().minimum(), -1.0f);  // fixed range made symmetric
        QCOMPARE(a.dataRange(), qMakePair(0.5f, 1.0f));
    }

    void largeMatrixDownscalesWithoutLosingAColumn() {
        const int n = 1200;
        std::vector<float> v(size_t(n) * n, 0.0f);
        for (int r = 0; r < n; ++r) v[size_t(r) * n + 777] = 1.0f;  // one bright column
        HeatmapWidget w;
        w.setShowColorBar(false);
        w.setMatrix(n, n, std::move(v));
        w.resize(400, 400);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QImage image = w.grab().toImage();
        const QRect plot = w.plotRect();
        const int x = plot.left() + 777 * plot.width() / n;
        const QColor onColumn = image.pixelColor(x, plot.center().y());
        const QColor away = image.pixelColor(plot.left() + 100 * plot.width() / n, plot.center().y());
        QVERIFY2(onColumn != away, "a one-cell-wide column vanished when downscaled");
    }

    void exportsPngAndSvg() {
        HeatmapWidget w;
        w.setMatrix(4, 6, smallMatrix());
        w.setScaleMode(ColorScale::Mode::Diverging);
        QTemporaryDir dir;
        QVERIFY(w.exportImage(dir.filePath("map.png"), QSize(320, 240)));
        QVERIFY(w.exportImage(dir.filePath("map.svg"), QSize(320, 240)));
        QCOMPARE(QImage(dir.filePath("map.png")).size(), QSize(320, 240));
        QVERIFY(QFileInfo(dir.filePath("map.svg")).size() > 500);
        QVERIFY(!w.exportImage(dir.filePath("map.xyz")));
    }

    void screenshot() {
        const int n = 48;
        HeatmapWidget w;
        w.setTitle("L2 H1 · DIFF effective (A1 − λ·A2), λ = 0.62");
        w.setMatrix(n, n, diffLikeMap(n));
        w.setRowLabels(tokens(n));
        w.setColumnLabels(tokens(n));
        w.setScaleMode(ColorScale::Mode::Diverging);
        w.setColorBarTitle("attention");
        w.setColumnSpans({needleSpan(20, 24), questionSpan(40, 46), sinkSpan(0, 1)});
        w.setHighlightedRow(44);
        w.setSquareCells(true);
        QVERIFY(!testsupport::saveScreenshot(&w, "heatmap-diverging", QSize(760, 640)).isEmpty());
        w.setScaleMode(ColorScale::Mode::Sequential);
        std::vector<float> positive = diffLikeMap(n);
        for (float& x : positive) x = std::max(0.0f, x);
        w.setMatrix(n, n, positive);
        w.setTitle("L2 H1 · standard softmax");
        QVERIFY(!testsupport::saveScreenshot(&w, "heatmap-sequential", QSize(760, 640)).isEmpty());
    }
};

QTEST_MAIN(HeatmapTest)
#include "test_gui_heatmap.moc"
