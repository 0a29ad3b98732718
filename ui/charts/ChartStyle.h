#pragma once
// Shared looks for the Qt Charts widgets: a colour-blind-safe palette and the curve pens.
#include <QColor>
#include <Qt>

QT_BEGIN_NAMESPACE
class QChart;
class QLineSeries;
QT_END_NAMESPACE

namespace needlescope {

// Okabe–Ito colours in a fixed order (series keep their colour when others are added after them).
QColor chartPalette(int index);
// The main curve 2 px wide in `color`; the raw curve 1 px, same hue, mostly transparent.
void applyCurvePens(QLineSeries& line, QLineSeries& raw, const QColor& color, Qt::PenStyle style);
// Plain chart look for reports: no animation, thin margins, legend at the bottom.
void applyReportLook(QChart& chart);

}  // namespace needlescope
