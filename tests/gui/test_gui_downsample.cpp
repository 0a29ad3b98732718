// Min/max downsampling keeps spikes, the global extremes and the end points.
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>

#include "ui/charts/Downsample.h"

using namespace needlescope;

class DownsampleTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void smallSeriesIsUnchanged() {
        const QVector<QPointF> in{{0, 1}, {1, 3}, {2, 2}};
        QCOMPARE(downsampleMinMax(in, 2000), in);
    }

    void keepsGlobalExtremesAndEndPoints() {
        QVector<QPointF> in;
        for (int i = 0; i < 10000; ++i) in.push_back(QPointF(i, 3.0 + 0.1 * std::sin(i * 0.37)));
        in[4321].setY(100.0);   // a one-sample spike
        in[7777].setY(-100.0);  // and a one-sample dip
        const QVector<QPointF> out = downsampleMinMax(in, 2000);
        QVERIFY(out.size() <= 2000);
        QVERIFY(out.size() >= 1000);
        QCOMPARE(out.front(), in.front());
        QCOMPARE(out.back(), in.back());
        QVERIFY(out.contains(QPointF(4321, 100.0)));
        QVERIFY(out.contains(QPointF(7777, -100.0)));
        const auto [lo, hi] = std::minmax_element(
            out.begin(), out.end(), [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); });
        QCOMPARE(lo->y(), -100.0);
        QCOMPARE(hi->y(), 100.0);
        QVERIFY(std::is_sorted(out.begin(), out.end(),
                               [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); }));
    }

    void extremesAtTheEndsSurvive() {
        QVector<QPointF> in;
        for (int i = 0; i < 5001; ++i) in.push_back(QPointF(i, 1.0));
        in[1].setY(-5.0);    // right next to the first point
        in[4999].setY(9.0);  // right next to the last point
        const QVector<QPointF> out = downsampleMinMax(in, 100);
        QVERIFY(out.size() <= 100);
        QVERIFY(out.contains(QPointF(1, -5.0)));
        QVERIFY(out.contains(QPointF(4999, 9.0)));
    }

    void dropsNonFinite() {
        QVector<QPointF> in{{0, 1}, {1, std::nan("")}, {2, 2}};
        QCOMPARE(downsampleMinMax(in, 2000), (QVector<QPointF>{{0, 1}, {2, 2}}));
    }
};

QTEST_GUILESS_MAIN(DownsampleTest)
#include "test_gui_downsample.moc"
