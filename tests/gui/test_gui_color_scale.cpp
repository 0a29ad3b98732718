// Colour scales: diverging centred on 0 (white), blue below, red above; sequential viridis.
#include <QtTest/QtTest>
#include <cmath>

#include "ui/widgets/ColorScale.h"

using namespace needlescope;

class ColorScaleTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void divergingZeroIsWhite() {
        const ColorScale s = ColorScale::diverging(0.8f);
        QCOMPARE(s.color(0.0f), QColor(255, 255, 255));
    }

    void divergingSigns() {
        const ColorScale s = ColorScale::diverging(1.0f);
        for (float v : {-1.0f, -0.5f, -0.05f}) {
            const QColor c = s.color(v);
            QVERIFY2(c.blue() > c.red(), qPrintable(QStringLiteral("%1 → %2").arg(v).arg(c.name())));
        }
        for (float v : {0.05f, 0.5f, 1.0f}) {
            const QColor c = s.color(v);
            QVERIFY2(c.red() > c.blue(), qPrintable(QStringLiteral("%1 → %2").arg(v).arg(c.name())));
        }
        // Stronger values are darker (further from white).
        QVERIFY(s.color(-1.0f).lightness() < s.color(-0.2f).lightness());
        QVERIFY(s.color(1.0f).lightness() < s.color(0.2f).lightness());
    }

    void divergingRangeIsSymmetric() {
        const ColorScale s(ColorScale::Mode::Diverging, -0.2f, 0.7f);
        QCOMPARE(s.minimum(), -0.7f);
        QCOMPARE(s.maximum(), 0.7f);
        QCOMPARE(s.position(0.0f), 0.5);
        const ColorScale fitted = ColorScale::fitted(ColorScale::Mode::Diverging, {-0.3f, 0.1f, 0.05f});
        QCOMPARE(fitted.maximum(), 0.3f);
        QCOMPARE(fitted.minimum(), -0.3f);
    }

    void sequentialIsViridis() {
        const ColorScale s = ColorScale::sequential(1.0f);
        QCOMPARE(s.color(0.0f), QColor(68, 1, 84));
        QCOMPARE(s.color(1.0f), QColor(253, 231, 37));
        QCOMPARE(s.color(5.0f), QColor(253, 231, 37));  // clamped
        QVERIFY(s.color(0.25f) != s.color(0.75f));
    }

    void nanAndDegenerateRanges() {
        QCOMPARE(ColorScale::diverging(1.0f).rgb(std::nanf("")), ColorScale::nanColor());
        QCOMPARE(ColorScale::diverging(0.0f).color(0.0f), QColor(255, 255, 255));  // all-zero map
        QCOMPARE(ColorScale::sequential(0.0f).color(0.0f), QColor(68, 1, 84));
    }

    void symLogLiftsSmallValues() {
        ColorScale linear = ColorScale::diverging(1.0f);
        ColorScale symlog = linear;
        symlog.setSymLog(0.01f);
        QVERIFY(symlog.position(0.02f) > linear.position(0.02f) + 0.1);
        QVERIFY(symlog.position(-0.02f) < linear.position(-0.02f) - 0.1);
        QCOMPARE(symlog.position(0.0f), 0.5);
        QCOMPARE(symlog.position(1.0f), 1.0);
    }
};

QTEST_GUILESS_MAIN(ColorScaleTest)
#include "test_gui_color_scale.moc"
