#pragma once
// The axes of LossChartWidget. x: a QValueAxis mapping the step, tokens or training seconds; for seconds a
// QCategoryAxis over it labels round times as m:ss or h:mm:ss. y: a QValueAxis, or for log-y a hidden
// QLogValueAxis mapping the values with a QCategoryAxis over it labelling decades or 1-2-5 values (Qt's
// log axis labels only powers of its base, which for a loss between 3 and 10 is one label or odd values).
#include <QRectF>
#include <QString>

#include "ui/charts/LossSeries.h"

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QCategoryAxis;
class QChart;
class QValueAxis;
QT_END_NAMESPACE

namespace needlescope {

class LossChartAxes {
  public:
    explicit LossChartAxes(QChart& chart);

    QAbstractAxis* x() const;  // the axes the series attach to
    QAbstractAxis* y() const { return y_; }
    // Replaces the y axis (linear or log); the caller detaches the series first and attaches them after.
    void setLogY(bool logY);
    bool logY() const { return logY_; }
    void setXAxis(LossXAxis axis);
    void setYTitle(const QString& title);

    // Fits the axes to the data's bounding box (x0 > x1: no data); returns the ranges shown, in data units.
    QRectF fit(double x0, double x1, double y0, double y1);

    // The labelling axes, for tests: x ticks (training time only) and y ticks (log-y only); null otherwise.
    QCategoryAxis* xTicks() const;
    QCategoryAxis* yTicks() const;

  private:
    void removeY();

    QChart& chart_;
    QValueAxis* x_ = nullptr;
    QCategoryAxis* xTime_ = nullptr;
    QAbstractAxis* y_ = nullptr;
    QCategoryAxis* yLog_ = nullptr;
    bool logY_ = false;
    LossXAxis xAxis_ = LossXAxis::Steps;
    QString yTitle_;
};

}  // namespace needlescope
