#include "ui/charts/AxisTicks.h"

#include <QCategoryAxis>
#include <algorithm>
#include <cmath>

namespace needlescope {

namespace {

// "0.3" rather than "0.30000000000000004", "2e-05" for tiny values, "20" rather than "2e+01".
QString tickLabel(double v) {
    const double a = std::fabs(v);
    if (a != 0.0 && (a < 1e-3 || a >= 1e6)) return QString::number(v, 'g', 3);
    return QString::number(v, 'g', 6);
}

// m × 10^k computed without drifting (10^-1 · 3 is not exactly 0.3, but 3 / 10 is).
double scaled(double m, int k) { return k >= 0 ? m * std::pow(10.0, k) : m / std::pow(10.0, -k); }

QVector<AxisTick> mantissaTicks(double lo, double hi, std::initializer_list<double> mantissas,
                                int decadeStep) {
    QVector<AxisTick> out;
    const int k0 = int(std::floor(std::log10(lo))) - 1, k1 = int(std::ceil(std::log10(hi))) + 1;
    for (int k = k0; k <= k1; ++k) {
        if (decadeStep > 1 && ((k % decadeStep) + decadeStep) % decadeStep != 0) continue;
        for (double m : mantissas) {
            const double v = scaled(m, k);
            if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push_back({v, tickLabel(v)});
        }
    }
    return out;
}

}  // namespace

double niceStep(double span, int count) {
    const double raw = span / std::max(1, count);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double m = raw / power;
    return (m <= 1.0 ? 1.0 : m <= 2.0 ? 2.0 : m <= 5.0 ? 5.0 : 10.0) * power;
}

NiceTicks niceTicks(double low, double high, int maxTicks) {
    maxTicks = std::max(2, maxTicks);
    if (!(high > low)) high = low + 1.0;
    // Rounding the ends outwards can add a tick: the next 1-2-5 step until they fit.
    for (double step = niceStep(high - low, maxTicks - 1);; step = niceStep(step * 1.01, 1)) {
        const double a = std::floor(low / step + 1e-9) * step;
        const double b = std::ceil(high / step - 1e-9) * step;
        const int count = int(std::lround((b - a) / step)) + 1;
        if (count <= maxTicks) return {a, b, std::max(2, count)};
    }
}

int ticksThatFit(double pixels, double labelHeight, int cap) {
    const double gap = std::max(1.0, 1.4 * labelHeight);  // a label's height and a little air
    return std::clamp(int(std::floor(pixels / gap)) + 1, 2, std::max(2, cap));
}

QVector<AxisTick> logTicks(double lo, double hi) {
    if (!(lo > 0.0) || !(hi > lo) || !std::isfinite(hi)) return {};
    const double decades = std::log10(hi / lo);
    if (decades >= 2.0) {
        // Decades, every other one (or fewer) when there would be more than eight.
        const int every = std::max(1, int(std::ceil((decades + 1) / 8.0)));
        QVector<AxisTick> ticks = mantissaTicks(lo, hi, {1.0}, every);
        if (ticks.size() >= 3) return ticks;
    }
    QVector<AxisTick> ticks = mantissaTicks(lo, hi, {1.0, 2.0, 5.0}, 1);
    if (ticks.size() >= 3 && ticks.size() <= 9) return ticks;
    // A narrow range (a loss from 3.4 to 10): evenly spaced round values read best, and on so short a log
    // range they are nearly evenly spaced on screen too.
    const double step = niceStep(hi - lo, 5);
    ticks.clear();
    for (double n = std::ceil(lo / step - 1e-9); n * step <= hi * (1 + 1e-12); n += 1.0) {
        const double v = n * step;
        if (v > 0.0) ticks.push_back({v, tickLabel(v)});
    }
    return ticks;
}

QString durationFormat(double hi, double step) {
    if (hi < 3600.0) return QStringLiteral("m:ss");
    return std::fmod(step, 60.0) == 0.0 ? QStringLiteral("h:mm") : QStringLiteral("h:mm:ss");
}

QString durationLabel(double seconds, const QString& format) {
    const bool negative = seconds < 0;
    const qint64 total = qint64(std::llround(std::fabs(seconds)));
    const qint64 h = total / 3600, m = (total / 60) % 60, s = total % 60;
    const QLatin1Char zero('0');
    QString text;
    if (format == QLatin1String("h:mm"))
        text = QStringLiteral("%1:%2").arg(h).arg(m, 2, 10, zero);
    else if (format == QLatin1String("h:mm:ss"))
        text = QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, zero).arg(s, 2, 10, zero);
    else
        text = QStringLiteral("%1:%2").arg(total / 60).arg(s, 2, 10, zero);
    return negative ? QStringLiteral("-") + text : text;
}

QString durationLabel(double seconds) {
    return durationLabel(seconds,
                         std::fabs(seconds) >= 3599.5 ? QStringLiteral("h:mm:ss") : QStringLiteral("m:ss"));
}

QVector<AxisTick> durationTicks(double lo, double hi, double* stepOut) {
    static const double steps[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                   600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    const double span = std::max(hi - lo, 1e-9);
    double step = 0;
    for (double s : steps)
        if (span / s <= 6.0) {
            step = s;
            break;
        }
    if (step == 0) step = 86400.0 * niceStep(span / 86400.0, 6);
    if (stepOut) *stepOut = step;
    const QString format = durationFormat(hi, step);
    QVector<AxisTick> ticks;
    for (double n = std::ceil(lo / step - 1e-9); n * step <= hi + 1e-9 * step; n += 1.0)
        ticks.push_back({n * step, durationLabel(n * step, format)});
    return ticks;
}

void setCategoryTicks(QCategoryAxis& axis, double lo, double hi, const QVector<AxisTick>& ticks, bool log10) {
    const auto at = [log10](double v) { return log10 ? std::log10(v) : v; };
    for (const QString& label : axis.categoriesLabels()) axis.remove(label);
    axis.setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis.setRange(at(lo), at(hi));
    // Start a hair below the range so that a tick on its lower end gets its label too.
    double last = at(lo) - 1e-9 * std::max(1.0, std::fabs(at(hi) - at(lo)));
    axis.setStartValue(last);
    for (const AxisTick& t : ticks) {
        const double v = at(t.value);
        if (v <= last || v > at(hi) + 1e-12) continue;  // categories must grow; labels must be unique
        axis.append(t.label, v);
        last = v;
    }
}

}  // namespace needlescope
