#pragma once
// Shared looks for the Qt Charts widgets: the curve pens and the report look (colours: ui/style/Palette.h).
#include <QColor>
#include <Qt>

QT_BEGIN_NAMESPACE
class QChart;
class QLineSeries;
QT_END_NAMESPACE

namespace needlescope {

// The main curve 2 px wide in `color`; the raw curve 1 px, same hue, mostly transparent.
void applyCurvePens(QLineSeries& line, QLineSeries& raw, const QColor& color, Qt::PenStyle style);
// Plain chart look for reports: no animation, thin margins, legend at the bottom.
void applyReportLook(QChart& chart);

}  // namespace needlescope
