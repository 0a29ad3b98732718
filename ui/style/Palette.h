#pragma once
// The app's one palette: the colour-blind-safe Okabe–Ito set, the colour of each model kind, and the
// text colours for states and messages (one error red). Charts, widgets and views take their colours here.
#include <QColor>
#include <QString>

namespace needlescope {

// Okabe–Ito, in the order series take them (a series keeps its colour when others are added after it).
enum class OkabeIto { Blue, Vermillion, BluishGreen, ReddishPurple, Orange, SkyBlue, Black, Yellow };
QColor okabeIto(OkabeIto colour);
// The index-th series colour (cycles through the eight Okabe–Ito colours).
QColor seriesColor(int index);
// One colour per model kind, shared by every chart: standard blue, DIFF vermillion, DIFF V2 bluish green,
// others by name.
QColor modelColor(const QString& kind);
// The `ordinal`-th run of one kind among several shown together: 0 is modelColor(kind) itself, then
// alternately darker and lighter shades of it (the hue stays the kind's, so DIFF is always vermillion).
QColor modelShade(const QString& kind, int ordinal);
// How a model kind is named in tables and legends: "DIFF", "DIFF V2", else the kind as stored.
QString kindLabel(const QString& kind);

// Text colours for states and messages.
QColor errorColor();    // failed, invalid input, missing data
QColor successColor();  // finished, data found
QColor warningColor();  // paused, stopping, interrupted
QColor activeColor();   // running, preparing
QColor mutedColor();    // cancelled, unknown

// "color: #rrggbb;" for a label's style sheet.
QString textColorStyle(const QColor& color);

}  // namespace needlescope
