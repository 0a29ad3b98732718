// BucketBarsWidget: signed bars on each side of the zero line, fitted and fixed ranges.
#include <QtTest/QtTest>

#include "Screenshot.h"
#include "ui/widgets/BucketBarsWidget.h"

using namespace needlescope;

class BucketBarsTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void negativeValuesGoLeftOfZero() {
        BucketBarsWidget w;
        w.setSeries({{"standard", QColor(), {0.40, 0.30, 0.20, 0.10}},
                     {"diff", QColor(), {0.05, 0.60, -0.10, 0.20}}});
        w.resize(400, 260);
        const int zero = w.zeroX();
        const QRect negative = w.barRect(2, 1);
        const QRect positive = w.barRect(1, 1);
        QVERIFY(!negative.isEmpty());
        QVERIFY(negative.right() <= zero);
        QVERIFY(negative.left() < zero - 5);
        QVERIFY(positive.left() >= zero);
        QVERIFY(positive.width() > w.barRect(1, 0).width());  // 0.6 > 0.3
        QCOMPARE(w.valueRange(), qMakePair(-0.10, 0.60));
    }

    void barsAreDrawnInTheSeriesColour() {
        BucketBarsWidget w;
        const QColor red(200, 30, 30);
        w.setSeries({{"diff", red, {0.2, 0.5, -0.3, 0.1}}});
        w.resize(400, 220);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QImage image = w.grab().toImage();
        QCOMPARE(image.pixelColor(w.barRect(1, 0).center()), red);
        QCOMPARE(image.pixelColor(w.barRect(2, 0).center()), red);
    }

    void fixedRangeKeepsBarsStill() {
        BucketBarsWidget w;
        w.setValueRange(-1.0, 1.0);
        w.setSeries({{"a", QColor(), {0.5, 0.5, 0.5, 0.5}}});
        w.resize(400, 220);
        const QRect before = w.barRect(0, 0);
        w.setSeries({{"a", QColor(), {0.5, 0.9, 0.9, 0.9}}});
        QCOMPARE(w.barRect(0, 0), before);
        QCOMPARE(w.valueRange(), qMakePair(-1.0, 1.0));
    }

    void missingValuesDrawNoBar() {
        BucketBarsWidget w;
        w.setSeries({{"a", QColor(), {0.5}}});
        w.resize(300, 200);
        QVERIFY(!w.barRect(0, 0).isEmpty());
        QVERIFY(w.barRect(3, 0).isEmpty());
    }

    void negativeNumbersNeverOverprintTheLabels() {
        // Issue 12 point 10: the number left of a negative bar stays clear of the bucket's name, however
        // wide the number and whatever the range.
        BucketBarsWidget w;
        w.setSeries({{"mean", QColor(), {-1.5e-05, -0.4, 0.3, -0.012345}},
                     {"head", QColor(), {-0.98, 0.2, -3.25e-4, 0.5}}});
        for (const QSize size : {QSize(420, 260), QSize(260, 200)}) {
            w.resize(size);
            for (bool fixed : {false, true}) {
                if (fixed)
                    w.setValueRange(-1, 1);
                else
                    w.clearValueRange();
                for (int c = 0; c < 4; ++c)
                    for (int s = 0; s < 2; ++s) {
                        const QRect number = w.valueLabelRect(c, s);
                        QVERIFY(!number.isEmpty());
                        for (int other = 0; other < 4; ++other)
                            QVERIFY2(!number.intersects(w.categoryLabelRect(other)),
                                     qPrintable(QString("category %1 series %2 at %3 px")
                                                    .arg(c)
                                                    .arg(s)
                                                    .arg(size.width())));
                    }
            }
        }
    }

    void screenshot() {
        BucketBarsWidget w;
        w.setTitle("Attention of the last query row, by span");
        w.setSeries({{"standard", QColor(), {0.46, 0.12, 0.31, 0.11}},
                     {"diff", QColor(), {0.08, 0.57, -0.04, 0.19}}});
        QVERIFY(!testsupport::saveScreenshot(&w, "bucket-bars", QSize(420, 260)).isEmpty());
    }
};

QTEST_MAIN(BucketBarsTest)
#include "test_gui_bucket_bars.moc"
