#include "ui/charts/LossChartWidget.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCursor>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QSlider>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/charts/AxisTicks.h"
#include "ui/charts/ChartStyle.h"
#include "ui/charts/Downsample.h"
#include "ui/charts/LossChartAxes.h"
#include "ui/style/Palette.h"
#include "ui/widgets/ImageExport.h"
#include "ui/widgets/NumberFormat.h"

namespace needlescope {

struct LossChartWidget::Curve {
    LossSeries data;
    QColor color;
    Qt::PenStyle style = Qt::SolidLine;
    bool faint = false;           // a run behind a mean: thin, translucent, no legend entry
    QLineSeries* line = nullptr;  // smoothed (or raw, with smoothing off)
    QLineSeries* raw = nullptr;   // faint raw curve behind it
    bool dirty = true;
};

LossChartWidget::LossChartWidget(QWidget* parent) : QWidget(parent) {
    chart_ = new QChart();
    applyReportLook(*chart_);
    view_ = new QChartView(chart_, this);
    view_->setRenderHint(QPainter::Antialiasing);
    view_->setMinimumSize(240, 160);
    // Legend entries as short samples of each line (solid train, dashed validation), not colour squares.
    chart_->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    axes_ = std::make_unique<LossChartAxes>(*chart_);
    note_ = new QLabel(this);
    note_->setAlignment(Qt::AlignCenter);
    note_->setWordWrap(true);
    note_->setStyleSheet(textColorStyle(mutedColor()));
    note_->hide();

    timer_ = new QTimer(this);
    timer_->setSingleShot(true);
    timer_->setInterval(100);
    connect(timer_, &QTimer::timeout, this, &LossChartWidget::refreshNow);

    buildControls();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(controls_);
    layout->addWidget(note_);
    layout->addWidget(view_, 1);
}

LossChartWidget::~LossChartWidget() = default;

void LossChartWidget::buildControls() {
    controls_ = new QWidget(this);
    auto* row = new QHBoxLayout(controls_);
    row->setContentsMargins(4, 2, 4, 2);
    smoothBox_ = new QCheckBox(tr("Smoothing"), controls_);
    smoothBox_->setToolTip(tr("Exponential moving average with bias correction (as in TensorBoard)"));
    smoothSlider_ = new QSlider(Qt::Horizontal, controls_);
    smoothSlider_->setRange(0, 99);
    smoothSlider_->setMaximumWidth(160);
    smoothLabel_ = new QLabel(controls_);
    smoothLabel_->setMinimumWidth(smoothLabel_->fontMetrics().horizontalAdvance(QStringLiteral("0.00")) + 4);
    rawBox_ = new QCheckBox(tr("Raw"), controls_);
    rawBox_->setToolTip(tr("Show the unsmoothed values faintly behind the smoothed curve"));
    logBox_ = new QCheckBox(tr("Log y"), controls_);
    xCombo_ = new QComboBox(controls_);
    xCombo_->addItem(tr("Step"));
    xCombo_->addItem(tr("Tokens"));
    xCombo_->addItem(tr("Time"));
    xCombo_->setToolTip(tr("x axis: training step, tokens seen, or training time (pauses excluded)"));
    row->addWidget(smoothBox_);
    row->addWidget(smoothSlider_);
    row->addWidget(smoothLabel_);
    row->addSpacing(8);
    row->addWidget(rawBox_);
    row->addWidget(logBox_);
    row->addStretch(1);
    row->addWidget(new QLabel(tr("x:"), controls_));
    row->addWidget(xCombo_);
    syncControls();
    connect(smoothBox_, &QCheckBox::toggled, this, &LossChartWidget::setSmoothingEnabled);
    connect(smoothSlider_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    connect(rawBox_, &QCheckBox::toggled, this, &LossChartWidget::setShowRaw);
    connect(logBox_, &QCheckBox::toggled, this, &LossChartWidget::setLogY);
    connect(xCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { setXAxis(LossXAxis(std::clamp(i, 0, 2))); });
}

void LossChartWidget::syncControls() {
    const QSignalBlocker b1(smoothBox_), b2(smoothSlider_), b3(rawBox_), b4(logBox_), b5(xCombo_);
    smoothBox_->setChecked(smoothingOn_);
    smoothSlider_->setValue(static_cast<int>(std::lround(beta_ * 100)));
    smoothSlider_->setEnabled(smoothingOn_);
    smoothLabel_->setText(QString::number(beta_, 'f', 2));
    rawBox_->setChecked(showRaw_);
    rawBox_->setEnabled(smoothingOn_);
    logBox_->setChecked(logY_);
    xCombo_->setCurrentIndex(int(xAxis_));
}

void LossChartWidget::setControlsVisible(bool visible) { controls_->setVisible(visible); }

LossChartWidget::Curve* LossChartWidget::curve(const QString& name, bool create) {
    for (auto& c : curves_)
        if (c->data.name() == name) return c.get();
    if (!create) return nullptr;
    auto c = std::make_unique<Curve>();
    c->data = LossSeries(name, beta_);
    c->color = seriesColor(static_cast<int>(curves_.size()));
    c->raw = new QLineSeries();
    c->line = new QLineSeries();
    c->line->setName(name);
    chart_->addSeries(c->raw);
    chart_->addSeries(c->line);
    for (QLineSeries* s : {c->raw, c->line}) {
        s->attachAxis(axes_->x());
        s->attachAxis(axes_->y());
    }
    Curve* raw = c.get();
    connect(c->line, &QLineSeries::hovered, this,
            [this, raw](const QPointF& p, bool state) { showHover(*raw, p, state); });
    curves_.push_back(std::move(c));
    applyCurvePens(*raw->line, *raw->raw, raw->color, raw->style);
    updateLegend(*raw);
    return raw;
}

const LossChartWidget::Curve* LossChartWidget::curve(const QString& name) const {
    for (const auto& c : curves_)
        if (c->data.name() == name) return c.get();
    return nullptr;
}

void LossChartWidget::setSeriesStyle(const QString& series, const QColor& color, Qt::PenStyle style) {
    Curve* c = curve(series, true);
    c->color = color.isValid() ? color : c->color;
    c->style = style;
    c->dirty = true;  // whether its points show as dots depends on the style
    setSeriesFaint(series, c->faint);
}

void LossChartWidget::setSeriesFaint(const QString& series, bool faint) {
    Curve* c = curve(series, true);
    c->faint = faint;
    applyCurvePens(*c->line, *c->raw, c->color, c->style);
    if (faint) {
        QColor color = c->color;
        color.setAlphaF(0.3);
        c->line->setPen(QPen(color, 1.0, c->style));
    }
    updateLegend(*c);
    c->dirty = true;
    scheduleRefresh();
}

bool LossChartWidget::seriesFaint(const QString& series) const {
    const Curve* c = curve(series);
    return c && c->faint;
}

void LossChartWidget::appendPoints(const QString& series, const QVector<QPointF>& points) {
    Curve* c = curve(series, true);
    for (const QPointF& p : points) c->data.append(LossSample{p.x(), std::nan(""), p.y()});
    c->dirty = true;
    scheduleRefresh();
}

void LossChartWidget::appendSamples(const QString& series, const QVector<LossSample>& samples) {
    Curve* c = curve(series, true);
    for (const LossSample& s : samples) c->data.append(s);
    c->dirty = true;
    scheduleRefresh();
}

void LossChartWidget::truncateAfterStep(const QString& series, double step) {
    if (Curve* c = curve(series, false)) {
        c->data.truncateAfterStep(step);
        c->dirty = true;
        scheduleRefresh();
    }
}

void LossChartWidget::removeSeries(const QString& series) {
    for (auto it = curves_.begin(); it != curves_.end(); ++it) {
        if ((*it)->data.name() != series) continue;
        chart_->removeSeries((*it)->line);
        chart_->removeSeries((*it)->raw);
        delete (*it)->line;
        delete (*it)->raw;
        curves_.erase(it);
        scheduleRefresh();
        return;
    }
}

void LossChartWidget::clear() {
    chart_->removeAllSeries();  // deletes the QLineSeries
    curves_.clear();
    scheduleRefresh();
}

QStringList LossChartWidget::seriesNames() const {
    QStringList names;
    for (const auto& c : curves_) names << c->data.name();
    return names;
}

int LossChartWidget::pointCount(const QString& series) const {
    const Curve* c = curve(series);
    return c ? c->data.size() : 0;
}

int LossChartWidget::displayedPointCount(const QString& series) const {
    const Curve* c = curve(series);
    return c ? c->line->count() : 0;
}

QVector<QPointF> LossChartWidget::displayedPoints(const QString& series) const {
    const Curve* c = curve(series);
    return c ? c->line->points() : QVector<QPointF>();
}

void LossChartWidget::markAllDirty() {
    for (auto& c : curves_) c->dirty = true;
    scheduleRefresh();
}

void LossChartWidget::setSmoothing(double beta) {
    beta = std::clamp(beta, 0.0, 0.99);
    if (beta == beta_) return;
    beta_ = beta;
    for (auto& c : curves_) c->data.setSmoothing(beta_);
    syncControls();
    markAllDirty();
    Q_EMIT viewOptionsChanged();
}

void LossChartWidget::setSmoothingEnabled(bool enabled) {
    if (enabled == smoothingOn_) return;
    smoothingOn_ = enabled;
    syncControls();
    markAllDirty();
    Q_EMIT viewOptionsChanged();
}

void LossChartWidget::setShowRaw(bool show) {
    if (show == showRaw_) return;
    showRaw_ = show;
    syncControls();
    markAllDirty();
    Q_EMIT viewOptionsChanged();
}

void LossChartWidget::setLogY(bool logY) {
    if (logY == logY_) return;
    logY_ = logY;
    rebuildYAxis();
    syncControls();
    markAllDirty();
    Q_EMIT viewOptionsChanged();
}

void LossChartWidget::setXAxis(LossXAxis axis) {
    if (axis == xAxis_) return;
    xAxis_ = axis;
    axes_->setXAxis(axis);
    syncControls();
    markAllDirty();
    Q_EMIT viewOptionsChanged();
}

void LossChartWidget::setMaxDisplayPoints(int maxPoints) {
    maxPoints_ = std::max(4, maxPoints);
    markAllDirty();
}

void LossChartWidget::setRefreshInterval(int milliseconds) { timer_->setInterval(std::max(0, milliseconds)); }

void LossChartWidget::setTitle(const QString& title) { chart_->setTitle(title); }

void LossChartWidget::setYAxisTitle(const QString& title) { axes_->setYTitle(title); }

QCategoryAxis* LossChartWidget::timeTicks() const { return axes_->xTicks(); }

QCategoryAxis* LossChartWidget::logTicks() const { return axes_->yTicks(); }

// The faint raw curves never get a legend entry (Qt Charts shows a series' marker again whenever the
// series is made visible); a dashed curve's entry gets short dashes, so that even its short line sample
// shows them.
void LossChartWidget::updateLegend(const Curve& c) {
    for (QLegendMarker* m : chart_->legend()->markers(c.raw)) m->setVisible(false);
    if (c.faint) {
        for (QLegendMarker* m : chart_->legend()->markers(c.line)) m->setVisible(false);
        return;
    }
    QPen pen(c.color, 2.0, c.style, Qt::FlatCap);
    if (c.style != Qt::SolidLine) pen.setDashPattern({1.5, 1.5});
    for (QLegendMarker* m : chart_->legend()->markers(c.line)) m->setPen(pen);
}

void LossChartWidget::rebuildYAxis() {
    for (auto& c : curves_) {
        c->line->detachAxis(axes_->y());
        c->raw->detachAxis(axes_->y());
    }
    axes_->setLogY(logY_);
    for (auto& c : curves_) {
        c->line->attachAxis(axes_->y());
        c->raw->attachAxis(axes_->y());
    }
}

void LossChartWidget::scheduleRefresh() {
    if (!timer_->isActive()) timer_->start();
}

void LossChartWidget::redrawCurve(Curve& c) {
    const bool smooth = smoothingOn_ && beta_ > 0.0;
    c.line->replace(downsampleMinMax(c.data.points(xAxis_, smooth, logY_), maxPoints_));
    const bool raw = smooth && showRaw_;
    c.raw->replace(raw ? downsampleMinMax(c.data.points(xAxis_, false, logY_), maxPoints_)
                       : QVector<QPointF>());
    c.raw->setVisible(raw);
    updateLegend(c);
    // A line needs two points: a lone one (the first validation) is drawn as a dot, and so are the points
    // of a sparse dashed curve, whose dashes alone would hide where the measurements are.
    const int n = int(c.line->count());
    c.line->setPointsVisible(n == 1 || (c.style != Qt::SolidLine && n <= kMarkedPoints));
    c.line->setMarkerSize(4.0);  // the radius, in pixels
    c.dirty = false;
}

void LossChartWidget::refreshNow() {
    timer_->stop();
    for (auto& c : curves_)
        if (c->dirty) redrawCurve(*c);
    updateAxisRanges();
    Q_EMIT refreshed();
}

void LossChartWidget::updateAxisRanges() {
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const auto& c : curves_) {
        for (QLineSeries* s : {c->line, c->raw}) {
            if (!s->isVisible()) continue;
            for (const QPointF& p : s->points()) {
                x0 = std::min(x0, p.x());
                x1 = std::max(x1, p.x());
                y0 = std::min(y0, p.y());
                y1 = std::max(y1, p.y());
            }
        }
    }
    ranges_ = axes_->fit(x0, x1, y0, y1);
    updateNote();
}

void LossChartWidget::updateNote() {
    // Curves with samples but nothing on this x axis (no token counts or training times stored): say so
    // rather than show an empty chart.
    bool samples = false, drawn = false;
    for (const auto& c : curves_) {
        samples = samples || c->data.size() > 0;
        drawn = drawn || c->line->count() > 0;
    }
    const bool show = samples && !drawn;
    if (show)
        note_->setText(xAxis_ == LossXAxis::WallClock ? tr("No training times are stored for these curves.")
                       : xAxis_ == LossXAxis::Tokens  ? tr("No token counts are stored for these curves.")
                       : logY_                        ? tr("No positive values to draw on a log axis.")
                                                      : tr("No finite values to draw."));
    note_->setVisible(show);
}

QRectF LossChartWidget::axisRanges() const { return ranges_; }

void LossChartWidget::showHover(const Curve& c, const QPointF& point, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const int i = c.data.nearestSample(xAxis_, point.x());
    if (i < 0) return;
    const LossSample& s = c.data.samples()[i];
    QString text = QStringLiteral("%1\nstep %2").arg(c.data.name()).arg(s.step, 0, 'f', 0);
    if (std::isfinite(s.tokens)) text += QStringLiteral(", tokens %1").arg(formatValue(s.tokens));
    if (std::isfinite(s.wallTime)) text += QStringLiteral(", time %1").arg(durationLabel(s.wallTime));
    if (smoothingOn_ && beta_ > 0.0)
        text += QStringLiteral("\nsmoothed %1 (raw %2)")
                    .arg(formatValue(c.data.smoothed()[i]))
                    .arg(formatValue(s.value));
    else
        text += QStringLiteral("\nvalue %1").arg(formatValue(s.value));
    QToolTip::showText(QCursor::pos(), text, view_);
}

bool LossChartWidget::exportImage(const QString& path, const QSize& size, double pixelRatio) {
    // A chart never shown has no meaningful size of its own; give it a readable default.
    const QSize target = (size.isEmpty() && !view_->isVisible()) ? QSize(960, 560) : size;
    if (!view_->isVisible()) {
        // Lay the hidden chart out at the export size before drawing it: Qt Charts elides every label
        // and legend entry it once laid out at a child widget's default 100 × 30 pixels.
        view_->resize(target);
        prepareForRender(view_);
    }
    refreshNow();
    return exportWidgetImage(view_, path, target, chart_->title(), pixelRatio);
}

}  // namespace needlescope
