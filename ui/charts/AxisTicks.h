#pragma once
// Readable tick positions and labels for the axes Qt Charts cannot label well by itself: a log axis (only
// powers of its base get a label there), a training-time axis in seconds (shown as m:ss or h:mm), and a
// value axis in a short panel (more ticks than fit, and Qt Charts elides every label).
// The ticks are drawn by a QCategoryAxis laid over the axis that maps the data (setCategoryTicks).
#include <QString>
#include <QVector>

QT_BEGIN_NAMESPACE
class QCategoryAxis;
QT_END_NAMESPACE

namespace needlescope {

struct AxisTick {
    double value = 0.0;  // in data units
    QString label;
};

// Ticks inside [lo, hi] (0 < lo < hi) for a log axis: decades when the range spans three or more, else
// 1-2-5 multiples of powers of ten, else (a narrow range) evenly spaced multiples of a 1-2-5 step.
// Always at least two ticks unless the range is degenerate.
QVector<AxisTick> logTicks(double lo, double hi);
// Ticks for a time axis in seconds over [lo, hi]: multiples of a round step (1, 2, 5, 10, 15, 30 s, 1, 2, 5,
// 10, 15, 30 min, 1, 2, 3, 6, 12 h, days) giving at most seven ticks, labelled in durationFormat(hi, step);
// `step` receives that step.
QVector<AxisTick> durationTicks(double lo, double hi, double* step = nullptr);
// 75 → "1:15", 3725 → "1:02:05" (h:mm:ss from an hour on); negative values get a leading minus.
QString durationLabel(double seconds);
// How a time axis over [0 or more, hi] with ticks every `step` seconds is labelled, one format for all of
// its ticks: "m:ss" below an hour, else "h:mm" (whole minutes) or "h:mm:ss".
QString durationFormat(double hi, double step);
// `seconds` in that format: 900 as "h:mm" is "0:15", as "m:ss" "15:00".
QString durationLabel(double seconds, const QString& format);
// The evenly spaced 1-2-5 step giving about `count` intervals over `span` (span > 0).
double niceStep(double span, int count);

// A value axis with round ticks: [low, high] are multiples of the step that cover the data, `count` ticks.
struct NiceTicks {
    double low = 0, high = 1;
    int count = 2;
};
// The smallest 1-2-5 step whose ticks over [low, high] number at most maxTicks (at least 2).
NiceTicks niceTicks(double low, double high, int maxTicks);
// How many ticks a vertical axis of `pixels` height holds with labels `labelHeight` high (2 to `cap`):
// closer than that, Qt Charts elides every label to "…".
int ticksThatFit(double pixels, double labelHeight, int cap);

// Replaces the categories of `axis` with `ticks` (labels on the values) over [lo, hi]; with `log10`, the
// category axis runs over log10(lo)…log10(hi) and the ticks sit at log10 of their values, matching a
// QLogValueAxis over [lo, hi] drawn in the same plot area.
void setCategoryTicks(QCategoryAxis& axis, double lo, double hi, const QVector<AxisTick>& ticks, bool log10);

}  // namespace needlescope
