// HeadGridWidget: click selects and emits, arrow keys move the selection, scalar colours, thumbnails.
#include <QKeyEvent>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <cmath>

#include "Screenshot.h"
#include "ui/widgets/HeadGridWidget.h"
#include "ui/widgets/MapThumbnail.h"

using namespace needlescope;

namespace {

void click(QWidget& w, const QPoint& pos) {
    QMouseEvent press(QEvent::MouseButtonPress, QPointF(pos), QPointF(w.mapToGlobal(pos)), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &press);
}

void key(QWidget& w, int k) {
    QKeyEvent press(QEvent::KeyPress, k, Qt::NoModifier);
    QApplication::sendEvent(&w, &press);
}

std::vector<float> scalars(int layers, int heads) {
    std::vector<float> v;
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h) v.push_back(0.05f * l + 0.02f * h + (l == 2 && h == 1 ? 0.5f : 0.0f));
    return v;
}

}  // namespace

class HeadGridTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void clickSelectsAndEmits() {
        HeadGridWidget w;
        w.setGrid(3, 4);
        w.setScalars(scalars(3, 4));
        w.resize(300, 220);
        QSignalSpy spy(&w, &HeadGridWidget::headSelected);
        click(w, w.cellRect(1, 2).center());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 1);
        QCOMPARE(spy.at(0).at(1).toInt(), 2);
        QCOMPARE(w.selectedLayer(), 1);
        QCOMPARE(w.selectedHead(), 2);
        click(w, w.cellRect(1, 2).center());  // same head again: no new signal
        QCOMPARE(spy.count(), 1);
        click(w, QPoint(1, 1));  // on a label: nothing
        QCOMPARE(spy.count(), 1);
        QCOMPARE(w.selectedLayer(), 1);
    }

    void arrowKeysMoveTheSelection() {
        HeadGridWidget w;
        w.setGrid(3, 4);
        w.resize(300, 220);
        QSignalSpy spy(&w, &HeadGridWidget::headSelected);
        key(w, Qt::Key_Right);  // no selection yet: selects (0, 0)
        QCOMPARE(spy.count(), 1);
        QCOMPARE(w.selectedHead(), 0);
        key(w, Qt::Key_Right);
        key(w, Qt::Key_Down);
        QCOMPARE(w.selectedLayer(), 1);
        QCOMPARE(w.selectedHead(), 1);
        key(w, Qt::Key_Down);
        key(w, Qt::Key_Down);  // clamped at the last layer
        QCOMPARE(w.selectedLayer(), 2);
        QCOMPARE(spy.count(), 4);
        key(w, Qt::Key_End);
        QCOMPARE(w.selectedHead(), 3);
        QCOMPARE(spy.last().at(0).toInt(), 2);
        QCOMPARE(spy.last().at(1).toInt(), 3);
    }

    void scalarsAreDrawnWithTheSharedScale() {
        HeadGridWidget w;
        w.setGrid(3, 4);
        w.setScalars(scalars(3, 4));
        w.resize(300, 220);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.cellColor(2, 1), w.scalarScale().color(w.scalar(2, 1)));
        const QImage image = w.grab().toImage();
        // Sample a corner of the cell (the centre carries the printed value).
        const QRect cell = w.cellRect(2, 1);
        QCOMPARE(image.pixelColor(cell.topLeft() + QPoint(3, 3)), w.cellColor(2, 1));
        QVERIFY(w.cellColor(2, 1) != w.cellColor(0, 0));
    }

    void thumbnailsReplaceTheScalarColour() {
        HeadGridWidget w;
        w.setGrid(2, 2);
        w.setScaleMode(ColorScale::Mode::Diverging);
        w.setThumbnail(0, 1, 2, 2, {-1.0f, 0.0f, 0.0f, 1.0f});
        w.resize(200, 200);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(!w.cellColor(0, 1).isValid());
        const QRect cell = w.cellRect(0, 1);
        const QImage image = w.grab().toImage();
        const QColor topLeft = image.pixelColor(cell.topLeft() + QPoint(cell.width() / 4, cell.height() / 4));
        const QColor bottomRight =
            image.pixelColor(cell.topLeft() + QPoint(3 * cell.width() / 4, 3 * cell.height() / 4));
        QVERIFY2(topLeft.blue() > topLeft.red(), qPrintable(topLeft.name()));
        QVERIFY2(bottomRight.red() > bottomRight.blue(), qPrintable(bottomRight.name()));
    }

    void smallNegativeValuesAreAbbreviatedNotHidden() {
        // Issue 12 point 10: values too wide for their cell (small negative DIFF values, small windows)
        // are printed in a shorter form, never left out; the tooltip holds the full value.
        HeadGridWidget w;
        w.setGrid(4, 4);
        std::vector<float> v(16, 0.25f);
        v[1] = -1.234567e-5f;
        v[6] = -0.0123456f;
        w.setScalars(v);
        for (const QSize size : {QSize(520, 420), QSize(240, 180), QSize(170, 130)}) {
            w.resize(size);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            for (int l = 0; l < 4; ++l)
                for (int h = 0; h < 4; ++h) {
                    const QString label = w.cellLabel(l, h);
                    QVERIFY2(!label.isEmpty(), qPrintable(QString("cell %1,%2 empty at %3x%4")
                                                              .arg(l)
                                                              .arg(h)
                                                              .arg(size.width())
                                                              .arg(size.height())));
                    // A rounded form of the value: same sign, same order of magnitude.
                    bool ok = false;
                    const double shown = label.toDouble(&ok);
                    const double value = v[size_t(l * 4 + h)];
                    QVERIFY2(ok && (shown < 0) == (value < 0) &&
                                 std::fabs(std::log10(std::fabs(shown) / std::fabs(value))) < 0.5,
                             qPrintable(label));
                }
            QVERIFY(w.cellLabel(0, 1).startsWith('-'));
            QVERIFY(w.cellLabel(0, 1).contains("e-5") || w.cellLabel(0, 1).contains("e-05"));
            QVERIFY(w.cellLabel(1, 2).startsWith('-'));
        }
        QVERIFY(w.cellToolTip(0, 1).contains("-1.23457e-05"));
        QVERIFY(w.cellToolTip(1, 2).contains("-0.0123456"));
    }

    void thumbnailsKeepTheStrongestWeight() {
        // The all-heads thumbnails pool blocks by their largest |value|: a lone strong key (or a negative
        // DIFF weight) survives the shrinking.
        std::vector<float> map(64 * 48, 0.01f);
        map[size_t(40 * 48 + 30)] = -0.9f;
        map[size_t(3 * 48 + 2)] = 0.6f;
        const PooledMap t = mapThumbnail(map.data(), 64, 48, 16);
        QCOMPARE(t.rows, 16);
        QCOMPARE(t.cols, 16);
        QCOMPARE(t.values.size(), size_t(256));
        QCOMPARE(t.values[size_t((40 * 16 / 64) * 16 + 30 * 16 / 48)], -0.9f);
        QCOMPARE(t.values[size_t((3 * 16 / 64) * 16 + 2 * 16 / 48)], 0.6f);
        QCOMPARE(t.values[size_t(15 * 16 + 15)], 0.01f);
        const PooledMap small = mapThumbnail(map.data(), 4, 3, 16);  // smaller than the side: as it is
        QCOMPARE(small.rows, 4);
        QCOMPARE(small.cols, 3);
        QVERIFY(mapThumbnail(nullptr, 4, 4, 16).values.empty());
    }

    void screenshot() {
        HeadGridWidget w;
        w.setGrid(6, 8);
        w.setScalars(scalars(6, 8));
        w.selectHead(2, 1);
        QVERIFY(!testsupport::saveScreenshot(&w, "head-grid", QSize(520, 360)).isEmpty());
    }
};

QTEST_MAIN(HeadGridTest)
#include "test_gui_head_grid.moc"
