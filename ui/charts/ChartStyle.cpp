#include "ui/charts/ChartStyle.h"

#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QPen>
#include <cstdlib>

namespace needlescope {

QColor chartPalette(int index) {
    static const QColor colors[] = {
        QColor(0x00, 0x72, 0xB2),  // blue
        QColor(0xD5, 0x5E, 0x00),  // vermillion
        QColor(0x00, 0x9E, 0x73),  // bluish green
        QColor(0xCC, 0x79, 0xA7),  // reddish purple
        QColor(0xE6, 0x9F, 0x00),  // orange
        QColor(0x56, 0xB4, 0xE9),  // sky blue
        QColor(0x00, 0x00, 0x00),  // black
        QColor(0xF0, 0xE4, 0x42),  // yellow
    };
    return colors[std::abs(index) % 8];
}

void applyCurvePens(QLineSeries& line, QLineSeries& raw, const QColor& color, Qt::PenStyle style) {
    QPen pen(color, 2.0, style, Qt::RoundCap, Qt::RoundJoin);
    line.setPen(pen);
    QColor faint = color;
    faint.setAlpha(70);
    QPen rawPen(faint, 1.0, style);
    raw.setPen(rawPen);
}

void applyReportLook(QChart& chart) {
    chart.setAnimationOptions(QChart::NoAnimation);
    chart.setBackgroundRoundness(0);
    chart.setMargins(QMargins(4, 4, 4, 4));
    chart.legend()->setAlignment(Qt::AlignBottom);
}

}  // namespace needlescope
