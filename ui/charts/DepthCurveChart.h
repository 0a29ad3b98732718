#pragma once
// The needle-depth figure: attention to the answer and to the noise as a function of needle depth
// (0–100 %), one line per model/run with mean ± std error bars or a shaded band (faint lines for the runs
// behind a mean), in two panels side by side. Works without a shown window, so the CLI can render the
// report figure offscreen.
#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>
#include <utility>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QLabel;
class QPaintDevice;
class QValueAxis;
QT_END_NAMESPACE

namespace needlescope {

struct DepthSeries {
    QString name;
    QVector<double> depths;  // percent, 0–100
    QVector<double> answerMean;
    QVector<double> answerStd;  // empty or shorter: no error bar for those depths
    QVector<double> noiseMean;
    QVector<double> noiseStd;
    QColor color;  // invalid: the palette colour by position
    // A shaded band under the line (e.g. min–max over seeds); empty: none.
    QVector<double> answerLow, answerHigh, noiseLow, noiseHigh;
    bool faint = false;  // a thin translucent line: no dots, error bars or legend entry
};

class DepthCurveChart : public QWidget {
    Q_OBJECT
  public:
    explicit DepthCurveChart(QWidget* parent = nullptr);

    void setSeries(const QVector<DepthSeries>& series);
    QVector<DepthSeries> series() const { return series_; }
    void setTitle(const QString& title);  // above both panels (hidden when empty)
    QString title() const;
    void clear();

    QChart* answerChart() const { return answerChart_; }
    QChart* noiseChart() const { return noiseChart_; }
    // The y range of each panel as drawn (lower, upper).
    QPair<double, double> answerRange() const;
    QPair<double, double> noiseRange() const;

    // Draws the whole figure scaled to fill `device` (an image, an SVG generator, a printer).
    void renderTo(QPaintDevice* device);
    // PNG or SVG by suffix. A hidden widget is laid out at `size` (default 1200 × 480).
    bool exportImage(const QString& path, const QSize& size = QSize(1200, 480));

    QSize sizeHint() const override;
    // True while the panels are too short for axis titles (they are hidden so tick labels are not elided).
    bool compact() const { return compact_; }

  protected:
    void resizeEvent(QResizeEvent* event) override;

  private:
    void setCompact(bool compact);
    void rebuildPanel(QChart* chart, QValueAxis* x, QValueAxis* y, bool answer);
    void fitYTicks(QChart* chart, QValueAxis* y);  // round ticks over the panel's data, as many as fit

    QVector<DepthSeries> series_;
    QLabel* titleLabel_ = nullptr;
    QChart* answerChart_ = nullptr;
    QChart* noiseChart_ = nullptr;
    QChartView* answerView_ = nullptr;
    QChartView* noiseView_ = nullptr;
    QValueAxis* answerX_ = nullptr;
    QValueAxis* answerY_ = nullptr;
    QValueAxis* noiseX_ = nullptr;
    QValueAxis* noiseY_ = nullptr;
    bool compact_ = false;
    std::pair<double, double> answerData_{0.0, 1.0}, noiseData_{0.0, 1.0};  // y ranges the data needs
};

}  // namespace needlescope
