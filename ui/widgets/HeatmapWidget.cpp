#include "ui/widgets/HeatmapWidget.h"

#include <QEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <functional>

#include "ui/widgets/ColorBarWidget.h"
#include "ui/widgets/ImageExport.h"
#include "ui/widgets/NumberFormat.h"
#include "ui/widgets/TokenText.h"

namespace needlescope {
namespace {

constexpr int kMargin = 4;
constexpr int kLabelGap = 4;
constexpr int kMaxRowLabelWidth = 140;
constexpr int kMaxColLabelHeight = 100;
constexpr int kSpanRulerHeight = 5;

// Pixel range [first, last] of cell `i` out of `n` along `length` pixels; pixel x belongs to cell
// floor(x * n / length), so this is the exact inverse.
std::pair<int, int> cellSpan(int i, int n, int length) {
    const qint64 first = (static_cast<qint64>(i) * length + n - 1) / n;
    const qint64 last = (static_cast<qint64>(i + 1) * length + n - 1) / n - 1;
    return {static_cast<int>(first), static_cast<int>(std::max(first, last))};
}

int maxLabelExtent(const QFontMetrics& fm, int count, const std::function<QString(int)>& label) {
    int w = 0;
    for (int i = 0; i < count; ++i) w = std::max(w, fm.horizontalAdvance(label(i)));
    return w;
}

// Draw every `stride`-th label so labels never overlap.
int labelStride(int fontHeight, double cellExtent) {
    if (cellExtent <= 0.0) return 1;
    return std::max(1, static_cast<int>(std::ceil(fontHeight / cellExtent)));
}

}  // namespace

HeatmapWidget::HeatmapWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapWidget::setMatrix(int rows, int cols, std::vector<float> values) {
    if (rows <= 0 || cols <= 0 || values.size() != static_cast<size_t>(rows) * static_cast<size_t>(cols)) {
        rows = cols = 0;
        values.clear();
    }
    rows_ = rows;
    cols_ = cols;
    values_ = std::move(values);
    rowLabelExtent_ = colLabelExtent_ = -1;
    hoverRow_ = hoverCol_ = -1;
    imageDirty_ = true;
    updateScale();
    updateGeometry();
    update();
}

void HeatmapWidget::clear() { setMatrix(0, 0, {}); }

float HeatmapWidget::value(int row, int col) const {
    if (row < 0 || col < 0 || row >= rows_ || col >= cols_) return std::nanf("");
    return values_[static_cast<size_t>(row) * cols_ + col];
}

void HeatmapWidget::setRowLabels(const QStringList& labels) {
    rowLabels_ = labels;
    rowLabelExtent_ = -1;
    update();
}

void HeatmapWidget::setColumnLabels(const QStringList& labels) {
    colLabels_ = labels;
    colLabelExtent_ = -1;
    update();
}

void HeatmapWidget::setTitle(const QString& title) {
    title_ = title;
    update();
}

void HeatmapWidget::setScaleMode(ColorScale::Mode mode) {
    if (mode == mode_) return;
    mode_ = mode;
    updateScale();
}

void HeatmapWidget::setFixedRange(float minimum, float maximum) {
    fixedRange_ = true;
    fixedMin_ = minimum;
    fixedMax_ = maximum;
    updateScale();
}

void HeatmapWidget::clearFixedRange() {
    fixedRange_ = false;
    updateScale();
}

void HeatmapWidget::setSymLog(float linearWidth) {
    symLog_ = std::max(0.0f, linearWidth);
    updateScale();
}

QPair<float, float> HeatmapWidget::dataRange() const {
    float lo = 0.0f, hi = 0.0f;
    bool any = false;
    for (float v : values_) {
        if (!std::isfinite(v)) continue;
        lo = any ? std::min(lo, v) : v;
        hi = any ? std::max(hi, v) : v;
        any = true;
    }
    return {lo, hi};
}

void HeatmapWidget::updateScale() {
    ColorScale next =
        fixedRange_ ? ColorScale(mode_, fixedMin_, fixedMax_) : ColorScale::fitted(mode_, values_);
    next.setSymLog(symLog_);
    if (next == scale_) return;
    scale_ = next;
    imageDirty_ = true;
    update();
    Q_EMIT colorScaleChanged(scale_);
}

void HeatmapWidget::setColumnSpans(const QVector<HighlightSpan>& spans) {
    spans_ = spans;
    update();
}

void HeatmapWidget::setHighlightedRow(int row) {
    highlightedRow_ = (row >= 0 && row < rows_) ? row : -1;
    update();
}

void HeatmapWidget::setShowColorBar(bool show) {
    showColorBar_ = show;
    update();
}

void HeatmapWidget::setColorBarTitle(const QString& title) {
    colorBarTitle_ = title;
    update();
}

void HeatmapWidget::setSquareCells(bool square) {
    squareCells_ = square;
    update();
}

void HeatmapWidget::ensureImage() const {
    if (!imageDirty_) return;
    imageDirty_ = false;
    scaled_ = QImage();
    if (rows_ == 0 || cols_ == 0) {
        image_ = QImage();
        return;
    }
    // A lookup table over the ramp (odd size, so position 0.5 — zero on a diverging scale — is an entry).
    constexpr int kSteps = 1024;
    std::vector<QRgb> lut(kSteps + 1);
    for (int i = 0; i <= kSteps; ++i) lut[i] = scale_.rgbAt(double(i) / kSteps);
    image_ = QImage(cols_, rows_, QImage::Format_RGB32);
    for (int r = 0; r < rows_; ++r) {
        auto* line = reinterpret_cast<QRgb*>(image_.scanLine(r));
        const float* src = values_.data() + static_cast<size_t>(r) * cols_;
        for (int c = 0; c < cols_; ++c) {
            const double t = scale_.position(src[c]);
            line[c] =
                std::isnan(t) ? ColorScale::nanColor() : lut[static_cast<size_t>(std::lround(t * kSteps))];
        }
    }
}

const QImage& HeatmapWidget::scaledImage(const QSize& px) const {
    ensureImage();
    if (image_.isNull() || px.isEmpty()) return image_;
    if (scaled_.size() == px) return scaled_;
    if (px.width() < cols_ || px.height() < rows_) {
        // More cells than pixels: average (nearest would silently drop a needle column).
        scaled_ = image_.scaled(px, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        return scaled_;
    }
    // Nearest neighbour with the exact cell boundaries that cellAt()/cellRect() use.
    scaled_ = QImage(px, QImage::Format_RGB32);
    std::vector<int> srcCol(px.width());
    for (int x = 0; x < px.width(); ++x)
        srcCol[x] = static_cast<int>(static_cast<qint64>(x) * cols_ / px.width());
    for (int y = 0; y < px.height(); ++y) {
        const int r = static_cast<int>(static_cast<qint64>(y) * rows_ / px.height());
        const auto* src = reinterpret_cast<const QRgb*>(image_.constScanLine(r));
        auto* dst = reinterpret_cast<QRgb*>(scaled_.scanLine(y));
        for (int x = 0; x < px.width(); ++x) dst[x] = src[srcCol[x]];
    }
    return scaled_;
}

QColor HeatmapWidget::cellColor(int row, int col) const {
    if (row < 0 || col < 0 || row >= rows_ || col >= cols_) return QColor();
    ensureImage();
    return QColor(image_.pixel(col, row));
}

QString HeatmapWidget::rowLabel(int row) const {
    return row < rowLabels_.size() ? visibleToken(rowLabels_[row]) : QString::number(row);
}

QString HeatmapWidget::colLabel(int col) const {
    return col < colLabels_.size() ? visibleToken(colLabels_[col]) : QString::number(col);
}

HeatmapWidget::Layout HeatmapWidget::computeLayout() const {
    Layout layout;
    QRect r = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    const QFontMetrics fm = fontMetrics();
    if (!title_.isEmpty()) {
        layout.title = QRect(r.left(), r.top(), r.width(), fm.height());
        r.setTop(layout.title.bottom() + 1 + kLabelGap);
    }
    if (rows_ == 0 || cols_ == 0) {
        layout.plot = r;
        return layout;
    }
    if (showColorBar_) {
        const int w = ColorBarWidget::preferredThickness(fm, scale_, Qt::Vertical, colorBarTitle_);
        layout.colorBar = QRect(r.right() - w + 1, r.top(), w, r.height());
        r.setRight(layout.colorBar.left() - 2 * kLabelGap);
    }
    if (rowLabelExtent_ < 0)
        rowLabelExtent_ = maxLabelExtent(fm, rows_, [this](int i) { return rowLabel(i); });
    if (colLabelExtent_ < 0)
        colLabelExtent_ = maxLabelExtent(fm, cols_, [this](int i) { return colLabel(i); });
    const int rowLabelWidth = std::min(kMaxRowLabelWidth, rowLabelExtent_) + kLabelGap;
    const int colLabelHeight = std::min(kMaxColLabelHeight, colLabelExtent_) + kLabelGap;
    r.setTop(r.top() + kSpanRulerHeight + 1);
    QRect plot(r.left() + rowLabelWidth, r.top(), std::max(1, r.width() - rowLabelWidth),
               std::max(1, r.height() - colLabelHeight));
    if (squareCells_) {
        const double cell = std::min(double(plot.width()) / cols_, double(plot.height()) / rows_);
        plot.setSize(QSize(std::max(1, int(cell * cols_)), std::max(1, int(cell * rows_))));
    }
    layout.plot = plot;
    layout.rowLabels = QRect(r.left(), plot.top(), rowLabelWidth - kLabelGap, plot.height());
    layout.colLabels =
        QRect(plot.left(), plot.bottom() + 1 + kLabelGap, plot.width(), colLabelHeight - kLabelGap);
    if (showColorBar_) {  // beside the plot (square cells can leave room on the right), as tall as it
        layout.colorBar.moveLeft(plot.right() + 1 + 2 * kLabelGap);
        layout.colorBar.setHeight(plot.bottom() - layout.colorBar.top() + 1);
    }
    return layout;
}

QRect HeatmapWidget::plotRect() const { return computeLayout().plot; }

QRect HeatmapWidget::cellRect(int row, int col) const {
    if (row < 0 || col < 0 || row >= rows_ || col >= cols_) return QRect();
    return cellRectIn(plotRect(), row, col);
}

QRect HeatmapWidget::cellRectIn(const QRect& plot, int row, int col) const {
    const auto [x0, x1] = cellSpan(col, cols_, plot.width());
    const auto [y0, y1] = cellSpan(row, rows_, plot.height());
    return QRect(QPoint(plot.left() + x0, plot.top() + y0), QPoint(plot.left() + x1, plot.top() + y1));
}

bool HeatmapWidget::cellAt(const QPoint& pos, int* row, int* col) const {
    if (rows_ == 0 || cols_ == 0) return false;
    const QRect plot = plotRect();
    if (!plot.contains(pos)) return false;
    const int c = static_cast<int>(static_cast<qint64>(pos.x() - plot.left()) * cols_ / plot.width());
    const int r = static_cast<int>(static_cast<qint64>(pos.y() - plot.top()) * rows_ / plot.height());
    if (row) *row = std::clamp(r, 0, rows_ - 1);
    if (col) *col = std::clamp(c, 0, cols_ - 1);
    return true;
}

QString HeatmapWidget::describeCell(int row, int col) const {
    QString text = QStringLiteral("query %1 “%2” → key %3 “%4”: %5")
                       .arg(row)
                       .arg(rowLabel(row))
                       .arg(col)
                       .arg(colLabel(col))
                       .arg(formatValue(value(row, col)));
    QStringList inSpans;
    for (const HighlightSpan& s : spans_)
        if (s.contains(col)) inSpans << s.label;
    if (!inSpans.isEmpty()) text += QStringLiteral("  [%1]").arg(inSpans.join(QStringLiteral(", ")));
    return text;
}

QString HeatmapWidget::hoverText() const {
    return hoverRow_ >= 0 ? describeCell(hoverRow_, hoverCol_) : QString();
}

void HeatmapWidget::setHover(int row, int col, const QPoint& globalPos) {
    if (row == hoverRow_ && col == hoverCol_) return;
    hoverRow_ = row;
    hoverCol_ = col;
    update();
    if (row < 0) {
        QToolTip::hideText();
        Q_EMIT hoverLeft();
        return;
    }
    QToolTip::showText(globalPos, hoverText(), this);
    Q_EMIT hovered(row, col, value(row, col));
}

void HeatmapWidget::mouseMoveEvent(QMouseEvent* event) {
    int row = -1, col = -1;
    if (!cellAt(event->position().toPoint(), &row, &col)) row = col = -1;
    setHover(row, col, event->globalPosition().toPoint());
    QWidget::mouseMoveEvent(event);
}

void HeatmapWidget::mousePressEvent(QMouseEvent* event) {
    int row = -1, col = -1;
    if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), &row, &col)) {
        Q_EMIT cellClicked(row, col);
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void HeatmapWidget::leaveEvent(QEvent* event) {
    setHover(-1, -1, QPoint());
    QWidget::leaveEvent(event);
}

void HeatmapWidget::resizeEvent(QResizeEvent* event) {
    scaled_ = QImage();
    QWidget::resizeEvent(event);
}

void HeatmapWidget::changeEvent(QEvent* event) {
    if (event->type() == QEvent::FontChange) rowLabelExtent_ = colLabelExtent_ = -1;
    if (event->type() == QEvent::FontChange || event->type() == QEvent::PaletteChange) update();
    QWidget::changeEvent(event);
}

QSize HeatmapWidget::sizeHint() const { return QSize(520, 420); }
QSize HeatmapWidget::minimumSizeHint() const { return QSize(120, 100); }

bool HeatmapWidget::exportImage(const QString& path, const QSize& size) {
    return exportWidgetImage(this, path, size, title_);
}

void HeatmapWidget::paintRowLabels(QPainter& painter, const Layout& layout) const {
    const QFontMetrics fm = painter.fontMetrics();
    const int stride = labelStride(fm.height(), double(layout.plot.height()) / rows_);
    for (int r = 0; r < rows_; r += stride) {
        const QRect cell = cellRectIn(layout.plot, r, 0);
        const QRect label(layout.rowLabels.left(), cell.center().y() - fm.height() / 2,
                          layout.rowLabels.width(), fm.height());
        painter.drawText(label, Qt::AlignRight | Qt::AlignVCenter,
                         fm.elidedText(rowLabel(r), Qt::ElideRight, layout.rowLabels.width()));
    }
}

void HeatmapWidget::paintColumnLabels(QPainter& painter, const Layout& layout) const {
    const QFontMetrics fm = painter.fontMetrics();
    const int stride = labelStride(fm.height(), double(layout.plot.width()) / cols_);
    const int length = layout.colLabels.height();
    for (int c = 0; c < cols_; c += stride) {
        const QRect cell = cellRectIn(layout.plot, 0, c);
        painter.save();
        // Rotated so the text reads bottom-to-top, ending just under the plot.
        painter.translate(cell.center().x() - fm.height() / 2, layout.colLabels.top());
        painter.rotate(90);
        painter.translate(0, -fm.height());
        painter.drawText(QRect(0, 0, length, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                         fm.elidedText(colLabel(c), Qt::ElideRight, length));
        painter.restore();
    }
}

void HeatmapWidget::paintOverlays(QPainter& painter, const Layout& layout) const {
    painter.save();
    painter.setBrush(Qt::NoBrush);
    for (const HighlightSpan& span : spans_) {
        const int begin = std::max(0, span.begin);
        const int end = std::min(cols_, span.end);
        if (end <= begin) continue;
        const int x0 = cellRectIn(layout.plot, 0, begin).left();
        const int x1 = cellRectIn(layout.plot, 0, end - 1).right();
        painter.fillRect(QRect(x0, layout.plot.top() - kSpanRulerHeight - 1, x1 - x0 + 1, kSpanRulerHeight),
                         span.color);
        painter.setPen(QPen(span.color, 2));
        painter.drawRect(QRectF(x0 + 1, layout.plot.top() + 1, x1 - x0 - 1, layout.plot.height() - 2));
    }
    if (highlightedRow_ >= 0 && highlightedRow_ < rows_) {
        const QRect row = cellRectIn(layout.plot, highlightedRow_, 0);
        // Neutral, dashed: the span colours stay reserved for spans.
        painter.setPen(QPen(palette().color(QPalette::WindowText), 1.5, Qt::DashLine));
        painter.drawRect(
            QRectF(layout.plot.left() + 0.5, row.top() - 0.5, layout.plot.width() - 1, row.height() + 1));
    }
    if (hoverRow_ >= 0) {
        const QRect cell = cellRectIn(layout.plot, hoverRow_, hoverCol_);
        if (cell.width() >= 3 && cell.height() >= 3) {
            painter.setPen(QPen(Qt::black, 1));
            painter.drawRect(cell.adjusted(0, 0, -1, -1));
            painter.setPen(QPen(Qt::white, 1));
            painter.drawRect(cell.adjusted(1, 1, -2, -2));
        }
    }
    painter.restore();
}

void HeatmapWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const Layout layout = computeLayout();
    if (!title_.isEmpty()) {
        QFont bold = font();
        bold.setBold(true);
        painter.save();
        painter.setFont(bold);
        painter.drawText(layout.title, Qt::AlignLeft | Qt::AlignVCenter,
                         QFontMetrics(bold).elidedText(title_, Qt::ElideRight, layout.title.width()));
        painter.restore();
    }
    if (rows_ == 0 || cols_ == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(layout.plot, Qt::AlignCenter, tr("No attention map"));
        return;
    }
    const qreal dpr = devicePixelRatioF();
    const QSize px(qRound(layout.plot.width() * dpr), qRound(layout.plot.height() * dpr));
    painter.drawImage(layout.plot, scaledImage(px));
    paintRowLabels(painter, layout);
    paintColumnLabels(painter, layout);
    paintOverlays(painter, layout);
    if (showColorBar_) ColorBarWidget::paint(painter, layout.colorBar, scale_, Qt::Vertical, colorBarTitle_);
}

}  // namespace needlescope
