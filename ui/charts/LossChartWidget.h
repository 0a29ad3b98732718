#pragma once
// Live loss curves (Qt Charts): named series appended at any rate and redrawn at most ~10 Hz, debiased EMA
// smoothing (slider 0–0.99 with an off switch) computed at full resolution before min/max downsampling,
// optional faint raw curves, log-y (ticks at decades or 1-2-5 values), x by step, tokens or training time,
// legend entries as line samples (validation dashed), a lone point drawn as a dot, hover read-out, PNG/SVG
// export.
#include <QColor>
#include <QHash>
#include <QPointF>
#include <QRectF>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <memory>
#include <vector>

#include "ui/charts/LossSeries.h"

QT_BEGIN_NAMESPACE
class QCategoryAxis;
class QChart;
class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineSeries;
class QSlider;
class QTimer;
QT_END_NAMESPACE

namespace needlescope {

class LossChartAxes;

class LossChartWidget : public QWidget {
    Q_OBJECT
  public:
    // A dashed curve with at most this many points also shows them as dots.
    static constexpr int kMarkedPoints = 40;

    explicit LossChartWidget(QWidget* parent = nullptr);
    ~LossChartWidget() override;

    // x is the step (the series has no tokens axis values then).
    void appendPoints(const QString& series, const QVector<QPointF>& points);
    // Samples that carry both the step and the tokens seen, for the tokens axis.
    void appendSamples(const QString& series, const QVector<LossSample>& samples);
    // Drops the samples after `step` (a resumed run), so the curve never zig-zags.
    void truncateAfterStep(const QString& series, double step);
    void removeSeries(const QString& series);
    void clear();

    // Colour and dash of a series (created empty when new); without it a palette colour by order is used.
    void setSeriesStyle(const QString& series, const QColor& color, Qt::PenStyle style = Qt::SolidLine);
    // A faint series (a run drawn behind the mean of its kind): thin, translucent and out of the legend.
    void setSeriesFaint(const QString& series, bool faint);
    bool seriesFaint(const QString& series) const;
    QStringList seriesNames() const;
    int pointCount(const QString& series) const;           // samples stored (full resolution)
    int displayedPointCount(const QString& series) const;  // points in the drawn (smoothed) line
    QVector<QPointF> displayedPoints(const QString& series) const;

    void setSmoothing(double beta);  // clamped to [0, 0.99]
    double smoothing() const { return beta_; }
    void setSmoothingEnabled(bool enabled);
    bool smoothingEnabled() const { return smoothingOn_; }
    void setShowRaw(bool show);  // the raw curve drawn faintly behind the smoothed one
    bool showRaw() const { return showRaw_; }
    void setLogY(bool logY);  // non-positive values are left out while on
    bool logY() const { return logY_; }
    void setXAxis(LossXAxis axis);
    LossXAxis xAxis() const { return xAxis_; }
    void setMaxDisplayPoints(int maxPoints);    // per series, default 2000
    void setRefreshInterval(int milliseconds);  // default 100 (10 Hz)
    void setTitle(const QString& title);
    void setYAxisTitle(const QString& title);
    void setControlsVisible(bool visible);

    // Draws pending data now instead of at the next timer tick.
    void refreshNow();
    // The axis ranges in effect: x from left() to right(), y from top() (min) to bottom() (max).
    QRectF axisRanges() const;
    // PNG or SVG by suffix, the chart only (no controls); an empty size keeps the on-screen size. A raster
    // file is pixelRatio times `size` in pixels, laid out at `size` (see exportWidgetImage).
    bool exportImage(const QString& path, const QSize& size = QSize(), double pixelRatio = 1.0);

    // The axes labelling training time (x on the Time axis) and log-y ticks; null when not in use.
    QCategoryAxis* timeTicks() const;
    QCategoryAxis* logTicks() const;
    // The message shown over the chart when the curves have samples but none on this axis.
    QLabel* note() const { return note_; }

    QChart* chart() const { return chart_; }
    QChartView* chartView() const { return view_; }

  Q_SIGNALS:
    void refreshed();           // after a coalesced redraw
    void viewOptionsChanged();  // smoothing, raw, log-y or x axis changed (e.g. to persist in QSettings)

  private:
    struct Curve;
    Curve* curve(const QString& name, bool create);
    const Curve* curve(const QString& name) const;
    void scheduleRefresh();
    void redrawCurve(Curve& c);
    void rebuildYAxis();
    void updateAxisRanges();
    void updateNote();
    void updateLegend(const Curve& c);
    void markAllDirty();
    void showHover(const Curve& c, const QPointF& point, bool state);
    void buildControls();
    void syncControls();

    QChart* chart_ = nullptr;
    QChartView* view_ = nullptr;
    std::unique_ptr<LossChartAxes> axes_;
    QLabel* note_ = nullptr;
    QTimer* timer_ = nullptr;
    QWidget* controls_ = nullptr;
    QCheckBox* smoothBox_ = nullptr;
    QSlider* smoothSlider_ = nullptr;
    QLabel* smoothLabel_ = nullptr;
    QCheckBox* rawBox_ = nullptr;
    QCheckBox* logBox_ = nullptr;
    QComboBox* xCombo_ = nullptr;

    std::vector<std::unique_ptr<Curve>> curves_;
    double beta_ = 0.6;
    bool smoothingOn_ = true;
    bool showRaw_ = true;
    bool logY_ = false;
    LossXAxis xAxis_ = LossXAxis::Steps;
    int maxPoints_ = 2000;
    QRectF ranges_;
};

}  // namespace needlescope
