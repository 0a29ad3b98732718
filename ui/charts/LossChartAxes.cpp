#include "ui/charts/LossChartAxes.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLogValueAxis>
#include <QObject>
#include <QValueAxis>
#include <cmath>

#include "ui/charts/AxisTicks.h"

namespace needlescope {

LossChartAxes::LossChartAxes(QChart& chart) : chart_(chart) {
    x_ = new QValueAxis();
    x_->setLabelFormat(QStringLiteral("%.3g"));
    x_->setRange(0, 1);
    chart_.addAxis(x_, Qt::AlignBottom);
    xTime_ = new QCategoryAxis();
    xTime_->setVisible(false);
    chart_.addAxis(xTime_, Qt::AlignBottom);
    yTitle_ = QObject::tr("loss");
    setLogY(false);
    setXAxis(LossXAxis::Steps);
}

QAbstractAxis* LossChartAxes::x() const { return x_; }

QCategoryAxis* LossChartAxes::xTicks() const { return xAxis_ == LossXAxis::WallClock ? xTime_ : nullptr; }

QCategoryAxis* LossChartAxes::yTicks() const { return logY_ ? yLog_ : nullptr; }

void LossChartAxes::removeY() {
    for (QAbstractAxis** axis : {&y_, reinterpret_cast<QAbstractAxis**>(&yLog_)}) {
        if (!*axis) continue;
        chart_.removeAxis(*axis);
        delete *axis;
        *axis = nullptr;
    }
}

void LossChartAxes::setLogY(bool logY) {
    removeY();
    logY_ = logY;
    if (logY_) {
        auto* log = new QLogValueAxis();
        log->setBase(10.0);
        log->setRange(0.1, 10.0);
        log->setVisible(false);  // maps the values; yLog_ draws the ticks, labels and grid
        chart_.addAxis(log, Qt::AlignLeft);
        y_ = log;
        yLog_ = new QCategoryAxis();
        yLog_->setTitleText(yTitle_);
        chart_.addAxis(yLog_, Qt::AlignLeft);
        setCategoryTicks(*yLog_, 0.1, 10.0, logTicks(0.1, 10.0), true);
    } else {
        auto* axis = new QValueAxis();
        axis->setLabelFormat(QStringLiteral("%.4g"));
        axis->setRange(0.0, 1.0);
        axis->setTitleText(yTitle_);
        chart_.addAxis(axis, Qt::AlignLeft);
        y_ = axis;
    }
}

void LossChartAxes::setYTitle(const QString& title) {
    yTitle_ = title;
    (yLog_ ? static_cast<QAbstractAxis*>(yLog_) : y_)->setTitleText(title);
}

void LossChartAxes::setXAxis(LossXAxis axis) {
    xAxis_ = axis;
    const bool time = axis == LossXAxis::WallClock;
    // Training time: x_ still maps the seconds but xTime_ draws the labels, title and grid.
    x_->setLabelsVisible(!time);
    x_->setGridLineVisible(!time);
    x_->setLineVisible(!time);  // its ticks too
    x_->setTitleVisible(!time);
    xTime_->setVisible(time);
    // Qt leaves no room for a category axis's last label ("1:30" at the right edge): a wider margin does.
    chart_.setMargins(QMargins(4, 4, time ? 18 : 4, 4));
    x_->setTitleText(axis == LossXAxis::Tokens ? QObject::tr("tokens") : QObject::tr("step"));
}

QRectF LossChartAxes::fit(double x0, double x1, double y0, double y1) {
    if (!(x1 >= x0)) {  // no points
        x0 = 0.0;
        x1 = 1.0;
        y0 = logY_ ? 0.1 : 0.0;
        y1 = logY_ ? 10.0 : 1.0;
    }
    if (x1 == x0) x1 = x0 + 1.0;
    if (xAxis_ == LossXAxis::WallClock) {
        double step = 1.0;
        durationTicks(x0, x1, &step);
        x0 = std::floor(x0 / step) * step;
        x1 = std::ceil(x1 / step) * step;
        x_->setRange(x0, x1);
        const QVector<AxisTick> ticks = durationTicks(x0, x1, &step);
        setCategoryTicks(*xTime_, x0, x1, ticks, false);
        xTime_->setTitleText(QObject::tr("training time (%1)").arg(durationFormat(x1, step)));
    } else {
        x_->setLabelFormat((x1 >= 1e6 || x1 - x0 < 10.0) ? QStringLiteral("%.3g") : QStringLiteral("%.0f"));
        x_->setRange(x0, x1);
        x_->setTickCount(5);  // applyNiceNumbers() adjusts the tick count; start from the same one each time
        x_->applyNiceNumbers();
    }
    double lo = 0, hi = 1;
    if (logY_) {
        lo = y0 / 1.15;
        hi = y1 * 1.15;
        static_cast<QLogValueAxis*>(y_)->setRange(lo, hi);
        setCategoryTicks(*yLog_, lo, hi, logTicks(lo, hi), true);
    } else {
        const double pad = y1 > y0 ? 0.05 * (y1 - y0) : std::max(0.5, 0.05 * std::fabs(y0));
        auto* y = static_cast<QValueAxis*>(y_);
        y->setRange(y0 - pad, y1 + pad);
        y->setTickCount(6);
        y->applyNiceNumbers();
        lo = y->min();
        hi = y->max();
    }
    return QRectF(QPointF(x_->min(), lo), QPointF(x_->max(), hi));
}

}  // namespace needlescope
