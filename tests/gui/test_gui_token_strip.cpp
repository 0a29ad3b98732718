// TokenStripWidget: hover and click signals, span and weight shading, scrolling to a token.
#include <QMouseEvent>
#include <QScrollBar>
#include <QSignalSpy>
#include <QtTest/QtTest>

#include "Screenshot.h"
#include "ui/widgets/TokenStripWidget.h"

using namespace needlescope;

namespace {

void moveMouse(QWidget* viewport, const QPoint& pos) {
    QMouseEvent move(QEvent::MouseMove, QPointF(pos), QPointF(viewport->mapToGlobal(pos)), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
}

QStringList pieces(int n) {
    QStringList out;
    for (int i = 0; i < n; ++i)
        out << (i % 7 == 0 ? QStringLiteral("▁the") : QStringLiteral("▁tok%1").arg(i));
    return out;
}

}  // namespace

class TokenStripTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void hoverAndClickReportTheToken() {
        TokenStripWidget w;
        w.setTokens(pieces(40));
        w.resize(600, w.sizeHint().height());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy hovered(&w, &TokenStripWidget::tokenHovered);
        moveMouse(w.viewport(), w.tokenRect(3).center());
        QCOMPARE(hovered.count(), 1);
        QCOMPARE(hovered.at(0).at(0).toInt(), 3);
        QCOMPARE(w.tokenAt(w.tokenRect(5).center()), 5);
        moveMouse(w.viewport(), QPoint(2, 2));  // the legend row: no token
        QCOMPARE(hovered.last().at(0).toInt(), -1);

        QSignalSpy clicked(&w, &TokenStripWidget::tokenClicked);
        const QPoint p = w.tokenRect(4).center();
        QMouseEvent press(QEvent::MouseButtonPress, QPointF(p), QPointF(w.viewport()->mapToGlobal(p)),
                          Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(w.viewport(), &press);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toInt(), 4);
    }

    void spansAndWeightsShadeTokens() {
        TokenStripWidget w;
        w.setTokens(pieces(20));
        w.setSpans({needleSpan(5, 8), answerSpan(12, 13)});
        QCOMPARE(w.tokenBackground(6), SpanColors::needle().lighter(160));
        QCOMPARE(w.tokenBackground(12), SpanColors::answer().lighter(160));
        QVERIFY(w.tokenBackground(2) != w.tokenBackground(6));
        std::vector<float> weights(20, 0.0f);
        weights[9] = 1.0f;
        const ColorScale scale = ColorScale::sequential(1.0f);
        w.setWeights(weights, scale);
        QCOMPARE(w.tokenBackground(9), scale.color(1.0f));
        QCOMPARE(w.tokenBackground(6), scale.color(0.0f));  // weights win over span fills
    }

    void scrollsToAToken() {
        TokenStripWidget w;
        w.setTokens(pieces(400));
        w.resize(500, w.sizeHint().height());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.horizontalScrollBar()->maximum() > 0);
        w.setCurrentToken(350);
        const QRect r = w.tokenRect(350);
        QVERIFY(r.left() >= 0);
        QVERIFY(r.right() <= w.viewport()->width());
        QCOMPARE(w.tokenAt(r.center()), 350);
    }

    void screenshot() {
        TokenStripWidget w;
        QStringList t = {"<s>", "▁The", "▁river", "▁flows",  "▁north", ".",      "▁The",  "▁magic", "▁number",
                         "▁is", "▁4",   "2",      "7",       ".",      "▁Birds", "▁sing", ".",      "▁What",
                         "▁is", "▁the", "▁magic", "▁number", "?",      "▁4",     "2",     "7"};
        w.setTokens(t);
        w.setSpans({sinkSpan(0, 1), needleSpan(6, 14), questionSpan(17, 23), answerSpan(23, 26)});
        QVERIFY(!testsupport::saveScreenshot(&w, "token-strip", QSize(900, w.sizeHint().height())).isEmpty());
    }
};

QTEST_MAIN(TokenStripTest)
#include "test_gui_token_strip.moc"
