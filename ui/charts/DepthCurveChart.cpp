#include "ui/charts/DepthCurveChart.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPaintDevice>
#include <QPainter>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "ui/charts/AxisTicks.h"
#include "ui/charts/ChartStyle.h"
#include "ui/style/Palette.h"
#include "ui/widgets/ImageExport.h"

namespace needlescope {
namespace {

constexpr double kCapHalfWidth = 1.2;  // error-bar cap, in percent of depth
// Below this panel height Qt Charts elides every tick label to "…" unless the axis titles make room.
constexpr int kCompactBelowHeight = 230;
constexpr int kMaxYTicks = 6;

QChartView* makeView(QChart* chart, QWidget* parent) {
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(200, 160);
    return view;
}

QValueAxis* makeAxis(const QString& title, const QString& format) {
    auto* axis = new QValueAxis();
    axis->setTitleText(title);
    axis->setLabelFormat(format);
    return axis;
}

}  // namespace

DepthCurveChart::DepthCurveChart(QWidget* parent) : QWidget(parent) {
    titleLabel_ = new QLabel(this);
    titleLabel_->setAlignment(Qt::AlignCenter);
    QFont bold = titleLabel_->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    titleLabel_->setFont(bold);
    titleLabel_->setVisible(false);

    answerChart_ = new QChart();
    noiseChart_ = new QChart();
    answerChart_->setTitle(tr("Attention to the answer"));
    noiseChart_->setTitle(tr("Attention to noise"));
    answerX_ = makeAxis(tr("needle depth"), QStringLiteral("%.0f%%"));
    noiseX_ = makeAxis(tr("needle depth"), QStringLiteral("%.0f%%"));
    answerY_ = makeAxis(tr("fraction"), QStringLiteral("%.2f"));  // the panel title says of what
    noiseY_ = makeAxis(tr("fraction"), QStringLiteral("%.2f"));   // the panel title says of what
    for (auto [chart, x, y] :
         {std::tuple{answerChart_, answerX_, answerY_}, std::tuple{noiseChart_, noiseX_, noiseY_}}) {
        applyReportLook(*chart);
        x->setRange(0, 100);
        x->setTickCount(6);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        // As many y ticks as the plot's height holds (closer than a label's height, Qt Charts elides every
        // label). Queued: a range set inside the chart's own layout pass lays it out again, recursively.
        connect(
            chart, &QChart::plotAreaChanged, this, [this, chart, y] { fitYTicks(chart, y); },
            Qt::QueuedConnection);
    }
    answerView_ = makeView(answerChart_, this);
    noiseView_ = makeView(noiseChart_, this);

    auto* panels = new QHBoxLayout();
    panels->setSpacing(4);
    panels->addWidget(answerView_, 1);
    panels->addWidget(noiseView_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(titleLabel_);
    layout->addLayout(panels, 1);
    setSeries({});
}

QSize DepthCurveChart::sizeHint() const { return QSize(1000, 420); }

void DepthCurveChart::setTitle(const QString& title) {
    titleLabel_->setText(title);
    titleLabel_->setVisible(!title.isEmpty());
}

QString DepthCurveChart::title() const { return titleLabel_->text(); }

void DepthCurveChart::clear() { setSeries({}); }

void DepthCurveChart::setSeries(const QVector<DepthSeries>& series) {
    series_ = series;
    rebuildPanel(answerChart_, answerX_, answerY_, true);
    rebuildPanel(noiseChart_, noiseX_, noiseY_, false);
}

void DepthCurveChart::rebuildPanel(QChart* chart, QValueAxis* x, QValueAxis* y, bool answer) {
    chart->removeAllSeries();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    QVector<QAbstractSeries*> unlisted;  // dots, bars, bands and faint lines: no legend entry
    const auto extend = [&](double v) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    };
    for (int i = 0; i < series_.size(); ++i) {
        const DepthSeries& s = series_[i];
        const QVector<double>& mean = answer ? s.answerMean : s.noiseMean;
        const QVector<double>& sd = answer ? s.answerStd : s.noiseStd;
        const QVector<double>& bandLow = answer ? s.answerLow : s.noiseLow;
        const QVector<double>& bandHigh = answer ? s.answerHigh : s.noiseHigh;
        const QColor color = s.color.isValid() ? s.color : seriesColor(i);
        const int n = std::min(s.depths.size(), mean.size());

        // The band first, so the lines are drawn over it.
        if (bandLow.size() >= n && bandHigh.size() >= n && n > 0) {
            auto* upper = new QLineSeries();
            auto* lower = new QLineSeries();
            for (int k = 0; k < n; ++k) {
                if (!std::isfinite(s.depths[k]) || !std::isfinite(bandLow[k]) || !std::isfinite(bandHigh[k]))
                    continue;
                upper->append(s.depths[k], bandHigh[k]);
                lower->append(s.depths[k], bandLow[k]);
                extend(bandLow[k]);
                extend(bandHigh[k]);
            }
            auto* band = new QAreaSeries(upper, lower);
            QColor fill = color;
            fill.setAlphaF(0.18);
            band->setBrush(fill);
            band->setPen(Qt::NoPen);
            chart->addSeries(band);
            unlisted.push_back(band);
        }
        auto* line = new QLineSeries();
        line->setName(s.name);
        QColor lineColor = color;
        if (s.faint) lineColor.setAlphaF(0.35);
        line->setPen(QPen(lineColor, s.faint ? 1.0 : 2.0));
        auto* dots = s.faint ? nullptr : new QScatterSeries();
        if (dots) {
            dots->setMarkerSize(7.0);
            dots->setColor(color);
            dots->setBorderColor(color);
        }
        QVector<QLineSeries*> bars;
        for (int k = 0; k < n; ++k) {
            const double d = s.depths[k], m = mean[k];
            if (!std::isfinite(d) || !std::isfinite(m)) continue;
            line->append(d, m);
            if (dots) dots->append(d, m);
            extend(m);
            const double e = !s.faint && k < sd.size() && std::isfinite(sd[k]) ? std::fabs(sd[k]) : 0.0;
            if (e <= 0.0) continue;
            // One polyline per bar: bottom cap, the vertical, top cap (caps kept inside 0–100 %).
            const double c0 = std::max(0.0, d - kCapHalfWidth), c1 = std::min(100.0, d + kCapHalfWidth);
            auto* bar = new QLineSeries();
            bar->append({QPointF(c0, m - e), QPointF(c1, m - e), QPointF(d, m - e), QPointF(d, m + e),
                         QPointF(c0, m + e), QPointF(c1, m + e)});
            bar->setPen(QPen(color, 1.2));
            bars.push_back(bar);
            extend(m - e);
            extend(m + e);
        }
        chart->addSeries(line);
        if (s.faint) unlisted.push_back(line);
        if (dots) {
            chart->addSeries(dots);
            unlisted.push_back(dots);
        }
        for (QLineSeries* bar : bars) {
            chart->addSeries(bar);
            unlisted.push_back(bar);
        }
    }
    for (QAbstractSeries* a : chart->series()) {
        a->attachAxis(x);
        a->attachAxis(y);
    }
    for (QAbstractSeries* a : unlisted)
        for (QLegendMarker* m : chart->legend()->markers(a)) m->setVisible(false);
    if (!(hi >= lo)) {
        lo = 0.0;
        hi = 1.0;
    }
    // Fractions: start at 0 unless something is negative (DIFF can be), and leave a little headroom.
    lo = std::min(0.0, lo);
    const double pad = 0.05 * std::max(1e-6, hi - lo);
    (answer ? answerData_ : noiseData_) = {lo < 0.0 ? lo - pad : 0.0, hi + pad};
    fitYTicks(chart, y);
    chart->legend()->setVisible(!series_.isEmpty());
}

QPair<double, double> DepthCurveChart::answerRange() const { return {answerY_->min(), answerY_->max()}; }
QPair<double, double> DepthCurveChart::noiseRange() const { return {noiseY_->min(), noiseY_->max()}; }

void DepthCurveChart::renderTo(QPaintDevice* device) {
    if (!device) return;
    if (!isVisible()) {
        resize(device->width(), device->height());
        prepareForRender(this);
    }
    QPainter painter(device);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(double(device->width()) / width(), double(device->height()) / height());
    render(&painter, QPoint(), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
}

void DepthCurveChart::fitYTicks(QChart* chart, QValueAxis* y) {
    const auto [lo, hi] = chart == answerChart_ ? answerData_ : noiseData_;
    const double plot = chart->plotArea().height();
    const int cap = plot > 0 ? ticksThatFit(plot, QFontMetricsF(y->labelsFont()).height(), kMaxYTicks)
                             : kMaxYTicks;  // not laid out yet: plotAreaChanged comes back
    const NiceTicks ticks = niceTicks(lo, hi, cap);
    const double tolerance = 1e-9 * (ticks.high - ticks.low);
    if (std::abs(y->min() - ticks.low) > tolerance || std::abs(y->max() - ticks.high) > tolerance)
        y->setRange(ticks.low, ticks.high);
    if (y->tickCount() != ticks.count) y->setTickCount(ticks.count);
}

void DepthCurveChart::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    setCompact(answerView_->height() < kCompactBelowHeight);
}

void DepthCurveChart::setCompact(bool compact) {
    if (compact == compact_) return;
    compact_ = compact;
    // The panel titles and the % tick labels still say what the axes are.
    for (QValueAxis* axis : {answerX_, answerY_, noiseX_, noiseY_}) axis->setTitleVisible(!compact);
}

bool DepthCurveChart::exportImage(const QString& path, const QSize& size) {
    return exportWidgetImage(this, path, size, title());
}

}  // namespace needlescope
