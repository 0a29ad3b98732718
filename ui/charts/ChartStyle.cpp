#include "ui/charts/ChartStyle.h"

#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QPen>

namespace needlescope {

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
