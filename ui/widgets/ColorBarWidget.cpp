#include "ui/widgets/ColorBarWidget.h"

#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <vector>

#include "ui/widgets/NumberFormat.h"

namespace needlescope {
namespace {

constexpr int kBarThickness = 14;
constexpr int kTickLength = 4;
constexpr int kGap = 3;

// The values that get a tick: the ends, and 0 (or the midpoint) between them.
std::vector<double> tickValues(const ColorScale& scale) {
    const double lo = scale.minimum();
    const double hi = scale.maximum();
    if (!(hi > lo)) return {lo};
    const double mid = (lo < 0.0 && hi > 0.0) ? 0.0 : 0.5 * (lo + hi);
    return {lo, mid, hi};
}

// Where a value sits along the bar, as a fraction 0..1 from the low end.
double tickFraction(const ColorScale& scale, double value) {
    const double t = scale.position(static_cast<float>(value));
    return std::isnan(t) ? 0.0 : t;
}

}  // namespace

ColorBarWidget::ColorBarWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred);
}

void ColorBarWidget::setColorScale(const ColorScale& scale) {
    if (scale == scale_) return;
    scale_ = scale;
    updateGeometry();
    update();
}

void ColorBarWidget::setTitle(const QString& title) {
    title_ = title;
    updateGeometry();
    update();
}

void ColorBarWidget::setOrientation(Qt::Orientation orientation) {
    orientation_ = orientation;
    setSizePolicy(orientation == Qt::Vertical ? QSizePolicy::Fixed : QSizePolicy::Preferred,
                  orientation == Qt::Vertical ? QSizePolicy::Preferred : QSizePolicy::Fixed);
    updateGeometry();
    update();
}

int ColorBarWidget::preferredThickness(const QFontMetrics& fm, const ColorScale& scale,
                                       Qt::Orientation orientation, const QString& title) {
    if (orientation == Qt::Horizontal)
        return kBarThickness + kTickLength + kGap + fm.height() + (title.isEmpty() ? 0 : fm.height() + kGap);
    int labelWidth = 0;
    for (double v : tickValues(scale))
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(formatValue(v)));
    const int titleWidth = title.isEmpty() ? 0 : fm.height() + kGap;  // drawn rotated
    return titleWidth + kBarThickness + kTickLength + kGap + labelWidth + 2;
}

QSize ColorBarWidget::sizeHint() const {
    const int t = preferredThickness(fontMetrics(), scale_, orientation_, title_);
    return orientation_ == Qt::Vertical ? QSize(t, 200) : QSize(240, t);
}

QSize ColorBarWidget::minimumSizeHint() const {
    const int t = preferredThickness(fontMetrics(), scale_, orientation_, title_);
    return orientation_ == Qt::Vertical ? QSize(t, 60) : QSize(80, t);
}

void ColorBarWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    paint(painter, rect(), scale_, orientation_, title_);
}

void ColorBarWidget::paint(QPainter& painter, const QRect& area, const ColorScale& scale,
                           Qt::Orientation orientation, const QString& title) {
    const QFontMetrics fm = painter.fontMetrics();
    const QColor text = painter.pen().color().isValid() ? painter.pen().color() : QColor(Qt::black);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);

    if (orientation == Qt::Vertical) {
        const int halfLabel = fm.height() / 2 + 1;
        const int titleWidth = title.isEmpty() ? 0 : fm.height() + kGap;
        const QRect bar(area.left() + titleWidth, area.top() + halfLabel, kBarThickness,
                        std::max(1, area.height() - 2 * halfLabel));
        QImage ramp(1, bar.height(), QImage::Format_RGB32);
        for (int y = 0; y < bar.height(); ++y)
            ramp.setPixel(0, y, scale.rgbAt(1.0 - (y + 0.5) / bar.height()));  // high values on top
        painter.drawImage(bar, ramp);
        painter.setPen(text);
        painter.drawRect(bar.adjusted(0, 0, -1, -1));
        for (double v : tickValues(scale)) {
            const int y =
                bar.bottom() - static_cast<int>(std::lround(tickFraction(scale, v) * (bar.height() - 1)));
            painter.drawLine(bar.right() + 1, y, bar.right() + kTickLength, y);
            const QRect label(bar.right() + kTickLength + kGap, y - halfLabel, area.right() - bar.right(),
                              2 * halfLabel);
            painter.drawText(label, Qt::AlignLeft | Qt::AlignVCenter, formatValue(v));
        }
        if (!title.isEmpty()) {
            painter.translate(area.left(), bar.center().y());
            painter.rotate(-90);
            painter.drawText(QRect(-bar.height() / 2, 0, bar.height(), fm.height()), Qt::AlignCenter,
                             fm.elidedText(title, Qt::ElideRight, bar.height()));
        }
    } else {
        int labelHalf = 0;
        for (double v : tickValues(scale))
            labelHalf = std::max(labelHalf, fm.horizontalAdvance(formatValue(v)) / 2);
        const int titleHeight = title.isEmpty() ? 0 : fm.height() + kGap;
        const QRect bar(area.left() + labelHalf, area.top() + titleHeight,
                        std::max(1, area.width() - 2 * labelHalf), kBarThickness);
        QImage ramp(bar.width(), 1, QImage::Format_RGB32);
        for (int x = 0; x < bar.width(); ++x) ramp.setPixel(x, 0, scale.rgbAt((x + 0.5) / bar.width()));
        painter.drawImage(bar, ramp);
        painter.setPen(text);
        painter.drawRect(bar.adjusted(0, 0, -1, -1));
        if (!title.isEmpty())
            painter.drawText(QRect(area.left(), area.top(), area.width(), fm.height()), Qt::AlignCenter,
                             fm.elidedText(title, Qt::ElideRight, area.width()));
        for (double v : tickValues(scale)) {
            const int x =
                bar.left() + static_cast<int>(std::lround(tickFraction(scale, v) * (bar.width() - 1)));
            painter.drawLine(x, bar.bottom() + 1, x, bar.bottom() + kTickLength);
            const QString s = formatValue(v);
            const int w = fm.horizontalAdvance(s);
            painter.drawText(QRect(x - w / 2 - 1, bar.bottom() + kTickLength + kGap, w + 2, fm.height()),
                             Qt::AlignCenter, s);
        }
    }
    painter.restore();
}

}  // namespace needlescope
