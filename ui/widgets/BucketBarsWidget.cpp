#include "ui/widgets/BucketBarsWidget.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

#include "ui/style/Palette.h"
#include "ui/widgets/NumberFormat.h"

namespace needlescope {
namespace {

constexpr int kMargin = 6;
constexpr int kBarGap = 2;
constexpr int kGroupGap = 8;

bool hasValue(const BarSeries& s, int category) {
    return category < s.values.size() && std::isfinite(s.values[category]);
}

}  // namespace

BucketBarsWidget::BucketBarsWidget(QWidget* parent)
    : QWidget(parent),
      categories_{QStringLiteral("sink"), QStringLiteral("answer"), QStringLiteral("noise"),
                  QStringLiteral("query")} {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

QColor BucketBarsWidget::defaultColor(int i) {
    // Okabe–Ito in the buckets' own order: blue, vermillion, green, yellow, purple.
    static const OkabeIto colors[] = {OkabeIto::Blue, OkabeIto::Vermillion, OkabeIto::BluishGreen,
                                      OkabeIto::Yellow, OkabeIto::ReddishPurple};
    return okabeIto(colors[std::abs(i) % 5]);
}

void BucketBarsWidget::setCategories(const QStringList& categories) {
    categories_ = categories;
    updateGeometry();
    update();
}

void BucketBarsWidget::setSeries(const QVector<BarSeries>& series) {
    series_ = series;
    updateGeometry();
    update();
}

void BucketBarsWidget::setTitle(const QString& title) {
    title_ = title;
    update();
}

void BucketBarsWidget::setValueRange(double minimum, double maximum) {
    fixedRange_ = true;
    fixedMin_ = std::min(minimum, maximum);
    fixedMax_ = std::max(minimum, maximum);
    update();
}

void BucketBarsWidget::clearValueRange() {
    fixedRange_ = false;
    update();
}

QPair<double, double> BucketBarsWidget::valueRange() const {
    if (fixedRange_) return {fixedMin_, fixedMax_};
    double lo = 0.0, hi = 0.0;
    for (const BarSeries& s : series_)
        for (double v : s.values)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    if (hi - lo <= 0.0) hi = 1.0;
    return {lo, hi};
}

QColor BucketBarsWidget::colorOf(int series) const {
    const QColor c = series_[series].color;
    return c.isValid() ? c : defaultColor(series);
}

BucketBarsWidget::Layout BucketBarsWidget::computeLayout() const {
    Layout layout;
    const QFontMetrics fm = fontMetrics();
    QRect r = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    if (!title_.isEmpty()) {
        layout.title = QRect(r.left(), r.top(), r.width(), fm.height());
        r.setTop(layout.title.bottom() + 1 + kMargin / 2);
    }
    layout.legend = QRect(r.left(), r.top(), r.width(), fm.height());
    r.setTop(layout.legend.bottom() + 1 + kMargin);
    int labelWidth = 0;
    for (const QString& c : categories_) labelWidth = std::max(labelWidth, fm.horizontalAdvance(c));
    layout.labels = QRect(r.left(), r.top(), labelWidth, r.height());
    // Room for the numbers on both ends of the plot: the widest negative one left of it, the widest
    // positive one right of it.
    int leftWidth = 0, rightWidth = fm.horizontalAdvance(QStringLiteral("0.000"));
    for (const BarSeries& s : series_)
        for (double v : s.values)
            if (std::isfinite(v)) {
                const int w = fm.horizontalAdvance(formatValue(v));
                (v < 0.0 ? leftWidth : rightWidth) = std::max(v < 0.0 ? leftWidth : rightWidth, w);
            }
    leftWidth += kMargin;
    rightWidth += kMargin;
    layout.plot = QRect(layout.labels.right() + 1 + kMargin + leftWidth, r.top(),
                        std::max(10, r.width() - labelWidth - kMargin - leftWidth - rightWidth), r.height());
    const int nSeries = std::max(1, static_cast<int>(series_.size()));
    const int nCat = std::max(1, static_cast<int>(categories_.size()));
    const int available = r.height() - (nCat - 1) * kGroupGap;
    layout.barHeight = std::clamp((available / nCat - (nSeries - 1) * kBarGap) / nSeries, 3, fm.height() + 8);
    layout.groupHeight = nSeries * layout.barHeight + (nSeries - 1) * kBarGap;
    return layout;
}

int BucketBarsWidget::valueToX(const Layout& layout, double value) const {
    const auto [lo, hi] = valueRange();
    const double t = std::clamp((value - lo) / (hi - lo), 0.0, 1.0);
    return layout.plot.left() + static_cast<int>(std::lround(t * (layout.plot.width() - 1)));
}

int BucketBarsWidget::zeroX() const {
    const Layout layout = computeLayout();
    return valueToX(layout, 0.0);
}

QRect BucketBarsWidget::barRectIn(const Layout& layout, int category, int series) const {
    if (category < 0 || series < 0 || category >= categories_.size() || series >= series_.size() ||
        !hasValue(series_[series], category))
        return QRect();
    const int top = layout.plot.top() + category * (layout.groupHeight + kGroupGap) +
                    series * (layout.barHeight + kBarGap);
    const int x0 = valueToX(layout, 0.0);
    const int x1 = valueToX(layout, series_[series].values[category]);
    return QRect(std::min(x0, x1), top, std::max(1, std::abs(x1 - x0)), layout.barHeight);
}

QRect BucketBarsWidget::valueLabelRectIn(const Layout& layout, int category, int series) const {
    const QRect bar = barRectIn(layout, category, series);
    if (bar.isEmpty()) return QRect();
    const double v = series_[series].values[category];
    const int w = fontMetrics().horizontalAdvance(formatValue(v));
    if (v < 0.0) {
        const int zero = valueToX(layout, 0.0);
        return QRect(std::min(bar.left(), zero) - kMargin / 2 - w, bar.top(), w, bar.height());
    }
    return QRect(bar.right() + kMargin / 2, bar.top(), w, bar.height());
}

QRect BucketBarsWidget::categoryLabelRectIn(const Layout& layout, int category) const {
    if (category < 0 || category >= categories_.size()) return QRect();
    const int top = layout.plot.top() + category * (layout.groupHeight + kGroupGap);
    const int w = fontMetrics().horizontalAdvance(categories_[category]);
    return QRect(layout.labels.right() + 1 - w, top, w, layout.groupHeight);
}

QRect BucketBarsWidget::valueLabelRect(int category, int series) const {
    return valueLabelRectIn(computeLayout(), category, series);
}

QRect BucketBarsWidget::categoryLabelRect(int category) const {
    return categoryLabelRectIn(computeLayout(), category);
}

QRect BucketBarsWidget::barRect(int category, int series) const {
    return barRectIn(computeLayout(), category, series);
}

QSize BucketBarsWidget::sizeHint() const {
    const int rows =
        std::max(1, static_cast<int>(categories_.size())) * std::max(1, static_cast<int>(series_.size()));
    return QSize(360, 3 * fontMetrics().height() + rows * (fontMetrics().height() + 4) +
                          categories_.size() * kGroupGap);
}

QSize BucketBarsWidget::minimumSizeHint() const { return QSize(200, 4 * fontMetrics().height()); }

void BucketBarsWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const Layout layout = computeLayout();
    const QFontMetrics fm = painter.fontMetrics();
    const QColor text = palette().color(QPalette::WindowText);
    painter.setPen(text);
    if (!title_.isEmpty()) {
        QFont bold = font();
        bold.setBold(true);
        painter.save();
        painter.setFont(bold);
        painter.drawText(layout.title, Qt::AlignLeft | Qt::AlignVCenter, title_);
        painter.restore();
    }
    int lx = layout.legend.left();
    for (int s = 0; s < series_.size(); ++s) {
        const QRect swatch(lx, layout.legend.top() + (fm.height() - 10) / 2, 10, 10);
        painter.fillRect(swatch, colorOf(s));
        painter.drawText(QPoint(swatch.right() + 4, layout.legend.top() + fm.ascent()), series_[s].name);
        lx = swatch.right() + 4 + fm.horizontalAdvance(series_[s].name) + 14;
    }

    for (int c = 0; c < categories_.size(); ++c) {
        painter.setPen(text);
        painter.drawText(categoryLabelRectIn(layout, c), Qt::AlignRight | Qt::AlignVCenter, categories_[c]);
        for (int s = 0; s < series_.size(); ++s) {
            const QRect bar = barRectIn(layout, c, s);
            if (bar.isEmpty()) continue;
            const double v = series_[s].values[c];
            painter.fillRect(bar, colorOf(s));
            painter.setPen(text);
            painter.drawText(valueLabelRectIn(layout, c, s),
                             (v < 0.0 ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter, formatValue(v));
        }
    }
    const int zx = valueToX(layout, 0.0);
    const int bottom = layout.plot.top() + categories_.size() * (layout.groupHeight + kGroupGap) - kGroupGap;
    painter.setPen(QPen(text, 1));
    painter.drawLine(zx, layout.plot.top() - 2, zx, bottom + 2);
}

}  // namespace needlescope
