#pragma once
// Horizontal grouped bars, e.g. the share of attention on sink / answer / noise / query for one or more
// series (standard vs DIFF). Signed values extend left of a zero line; each bar shows its number.
#include <QColor>
#include <QPair>
#include <QStringList>
#include <QVector>
#include <QWidget>

namespace needlescope {

struct BarSeries {
    QString name;
    QColor color;            // invalid: a default colour by position
    QVector<double> values;  // one per category (missing or NaN values draw no bar)
};

class BucketBarsWidget : public QWidget {
    Q_OBJECT
  public:
    explicit BucketBarsWidget(QWidget* parent = nullptr);

    void setCategories(const QStringList& categories);  // default: sink, answer, noise, query
    QStringList categories() const { return categories_; }
    void setSeries(const QVector<BarSeries>& series);
    QVector<BarSeries> series() const { return series_; }
    void setTitle(const QString& title);

    // A fixed value range (so bars do not jump while a slider moves); otherwise fitted to include 0.
    void setValueRange(double minimum, double maximum);
    void clearValueRange();
    QPair<double, double> valueRange() const;  // the range in effect

    // Where a bar is drawn (empty for missing values); and the x of the zero line.
    QRect barRect(int category, int series) const;
    int zeroX() const;
    // Where a bar's number is printed (left of a negative bar, right of a positive one) and where a
    // category's name is; they never overlap, whatever the numbers.
    QRect valueLabelRect(int category, int series) const;
    QRect categoryLabelRect(int category) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    static QColor defaultColor(int seriesIndex);

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    struct Layout {
        QRect title;
        QRect legend;
        QRect labels;  // category labels
        QRect plot;    // bars
        int barHeight = 0;
        int groupHeight = 0;
    };
    Layout computeLayout() const;
    int valueToX(const Layout& layout, double value) const;
    QRect barRectIn(const Layout& layout, int category, int series) const;
    QRect valueLabelRectIn(const Layout& layout, int category, int series) const;
    QRect categoryLabelRectIn(const Layout& layout, int category) const;
    QColor colorOf(int series) const;

    QStringList categories_;
    QVector<BarSeries> series_;
    QString title_;
    bool fixedRange_ = false;
    double fixedMin_ = 0.0;
    double fixedMax_ = 1.0;
};

}  // namespace needlescope
