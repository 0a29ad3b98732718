#include "ui/widgets/HeadGridWidget.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "ui/widgets/NumberFormat.h"

namespace needlescope {
namespace {

constexpr int kMargin = 4;
constexpr int kSpacing = 3;
constexpr int kMaxCell = 96;

// Black or white text, whichever reads better on `background`.
QColor contrastingText(const QColor& background) {
    const double luminance =
        0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luminance > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
}

}  // namespace

HeadGridWidget::HeadGridWidget(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void HeadGridWidget::setGrid(int layers, int heads) {
    layers_ = std::max(0, layers);
    heads_ = std::max(0, heads);
    const size_t n = static_cast<size_t>(layers_) * static_cast<size_t>(heads_);
    scalars_.assign(n, std::nanf(""));
    thumbs_ = QVector<Thumbnail>(static_cast<int>(n));
    hoverIndex_ = -1;
    if (!valid(selLayer_, selHead_)) selLayer_ = selHead_ = -1;
    rebuildScalarScale();
    updateGeometry();
    update();
}

void HeadGridWidget::setScalars(const std::vector<float>& values) {
    if (values.size() != scalars_.size()) return;
    scalars_ = values;
    rebuildScalarScale();
    update();
}

float HeadGridWidget::scalar(int layer, int head) const {
    return valid(layer, head) ? scalars_[index(layer, head)] : std::nanf("");
}

void HeadGridWidget::setThumbnail(int layer, int head, int rows, int cols, const std::vector<float>& values) {
    if (!valid(layer, head)) return;
    Thumbnail& thumb = thumbs_[index(layer, head)];
    if (rows <= 0 || cols <= 0 || values.size() != static_cast<size_t>(rows) * static_cast<size_t>(cols)) {
        thumb = Thumbnail();
    } else {
        thumb.rows = rows;
        thumb.cols = cols;
        thumb.values = values;
        rebuildThumbnail(thumb);
    }
    update();
}

void HeadGridWidget::clearThumbnails() {
    for (Thumbnail& t : thumbs_) t = Thumbnail();
    update();
}

void HeadGridWidget::setScaleMode(ColorScale::Mode mode) {
    mode_ = mode;
    rebuildScalarScale();
    rebuildThumbnails();
    update();
}

void HeadGridWidget::setFixedRange(float minimum, float maximum) {
    fixedRange_ = true;
    fixedMin_ = minimum;
    fixedMax_ = maximum;
    rebuildScalarScale();
    rebuildThumbnails();
    update();
}

void HeadGridWidget::clearFixedRange() {
    fixedRange_ = false;
    rebuildScalarScale();
    rebuildThumbnails();
    update();
}

QFont HeadGridWidget::valueFont(int step) const {
    QFont small = font();
    small.setPointSizeF(std::max(step == 0 ? 6.0 : 5.0, font().pointSizeF() * (step == 0 ? 0.8 : 0.65)));
    return small;
}

QString HeadGridWidget::labelFor(const QRect& cell, float value, QFont* fontUsed) const {
    if (!showValues_ || std::isnan(value)) return QString();
    // The longest form that fits in the small font, else in a smaller one.
    for (int step = 0; step < 2; ++step) {
        const QFont f = valueFont(step);
        const QFontMetrics fm(f);
        if (fm.height() > cell.height()) continue;
        for (const QString& form : compactForms(value))
            if (fm.horizontalAdvance(form) + 2 <= cell.width()) {
                if (fontUsed) *fontUsed = f;
                return form;
            }
    }
    return QString();
}

QString HeadGridWidget::cellLabel(int layer, int head) const {
    if (!valid(layer, head) || thumbs_[index(layer, head)].rows > 0) return QString();
    return labelFor(cellRect(layer, head), scalars_[index(layer, head)]);
}

QString HeadGridWidget::cellToolTip(int layer, int head) const {
    if (!valid(layer, head)) return QString();
    QString text = tr("layer %1, head %2").arg(layer).arg(head);
    const float v = scalars_[index(layer, head)];
    if (!std::isnan(v)) text += QStringLiteral(": %1").arg(QString::number(double(v), 'g', 6));
    return text;
}

bool HeadGridWidget::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        int layer = -1, head = -1;
        if (cellAt(help->pos(), &layer, &head))
            QToolTip::showText(help->globalPos(), cellToolTip(layer, head), this);
        else
            QToolTip::showText(help->globalPos(), toolTip(), this);
        return true;
    }
    return QWidget::event(event);
}

void HeadGridWidget::setShowValues(bool show) {
    showValues_ = show;
    update();
}

void HeadGridWidget::rebuildScalarScale() {
    scalarScale_ =
        fixedRange_ ? ColorScale(mode_, fixedMin_, fixedMax_) : ColorScale::fitted(mode_, scalars_);
}

void HeadGridWidget::rebuildThumbnail(Thumbnail& thumb) const {
    if (thumb.rows == 0) return;
    const ColorScale scale =
        fixedRange_ ? ColorScale(mode_, fixedMin_, fixedMax_) : ColorScale::fitted(mode_, thumb.values);
    thumb.scaled = QImage();
    thumb.image = QImage(thumb.cols, thumb.rows, QImage::Format_RGB32);
    for (int r = 0; r < thumb.rows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(thumb.image.scanLine(r));
        for (int c = 0; c < thumb.cols; ++c)
            line[c] = scale.rgb(thumb.values[static_cast<size_t>(r) * thumb.cols + c]);
    }
}

void HeadGridWidget::rebuildThumbnails() {
    for (Thumbnail& t : thumbs_) rebuildThumbnail(t);
}

void HeadGridWidget::selectHead(int layer, int head) {
    if (!valid(layer, head)) layer = head = -1;
    if (layer == selLayer_ && head == selHead_) return;
    selLayer_ = layer;
    selHead_ = head;
    update();
    if (layer >= 0) Q_EMIT headSelected(layer, head);
}

HeadGridWidget::Geometry HeadGridWidget::geometry() const {
    Geometry g;
    if (layers_ == 0 || heads_ == 0) return g;
    const QFontMetrics fm = fontMetrics();
    const int rowLabelWidth = fm.horizontalAdvance(QStringLiteral("L%1").arg(layers_ - 1)) + 2 * kMargin;
    const int colLabelHeight = fm.height() + kMargin;
    const QRect area = rect().adjusted(kMargin + rowLabelWidth, kMargin + colLabelHeight, -kMargin, -kMargin);
    g.spacing = kSpacing;
    const int cellW = (area.width() - (heads_ - 1) * g.spacing) / heads_;
    const int cellH = (area.height() - (layers_ - 1) * g.spacing) / layers_;
    g.cell = std::clamp(std::min(cellW, cellH), 4, kMaxCell);
    g.grid = QRect(area.left(), area.top(), heads_ * g.cell + (heads_ - 1) * g.spacing,
                   layers_ * g.cell + (layers_ - 1) * g.spacing);
    return g;
}

QRect HeadGridWidget::cellRectIn(const Geometry& g, int layer, int head) const {
    return QRect(g.grid.left() + head * (g.cell + g.spacing), g.grid.top() + layer * (g.cell + g.spacing),
                 g.cell, g.cell);
}

QRect HeadGridWidget::cellRect(int layer, int head) const {
    return valid(layer, head) ? cellRectIn(geometry(), layer, head) : QRect();
}

bool HeadGridWidget::cellAt(const QPoint& pos, int* layer, int* head) const {
    const Geometry g = geometry();
    if (g.cell == 0 || !g.grid.contains(pos)) return false;
    const int h = (pos.x() - g.grid.left()) / (g.cell + g.spacing);
    const int l = (pos.y() - g.grid.top()) / (g.cell + g.spacing);
    if (!valid(l, h) || !cellRectIn(g, l, h).contains(pos)) return false;  // in the gap between cells
    if (layer) *layer = l;
    if (head) *head = h;
    return true;
}

QColor HeadGridWidget::cellColor(int layer, int head) const {
    if (!valid(layer, head) || thumbs_[index(layer, head)].rows > 0) return QColor();
    const float v = scalars_[index(layer, head)];
    return std::isnan(v) ? QColor() : scalarScale_.color(v);
}

QSize HeadGridWidget::sizeHint() const {
    const QFontMetrics fm = fontMetrics();
    const int cell = 40;
    const int w =
        fm.horizontalAdvance(QStringLiteral("L00")) + 4 * kMargin + std::max(1, heads_) * (cell + kSpacing);
    const int h = fm.height() + 3 * kMargin + std::max(1, layers_) * (cell + kSpacing);
    return QSize(w, h);
}

QSize HeadGridWidget::minimumSizeHint() const {
    const QFontMetrics fm = fontMetrics();
    return QSize(fm.horizontalAdvance(QStringLiteral("L00")) + std::max(1, heads_) * 8 + 4 * kMargin,
                 fm.height() + std::max(1, layers_) * 8 + 3 * kMargin);
}

void HeadGridWidget::mousePressEvent(QMouseEvent* event) {
    int layer = -1, head = -1;
    if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), &layer, &head)) {
        setFocus(Qt::MouseFocusReason);
        selectHead(layer, head);
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void HeadGridWidget::mouseMoveEvent(QMouseEvent* event) {
    int layer = -1, head = -1;
    const bool inside = cellAt(event->position().toPoint(), &layer, &head);
    const int idx = inside ? index(layer, head) : -1;
    if (idx != hoverIndex_) {
        hoverIndex_ = idx;
        update();
        if (inside) {
            QToolTip::showText(event->globalPosition().toPoint(), cellToolTip(layer, head), this);
            Q_EMIT headHovered(layer, head, scalars_[idx]);
        } else {
            QToolTip::hideText();
        }
    }
    QWidget::mouseMoveEvent(event);
}

void HeadGridWidget::keyPressEvent(QKeyEvent* event) {
    if (layers_ == 0 || heads_ == 0) return QWidget::keyPressEvent(event);
    int layer = selLayer_ < 0 ? 0 : selLayer_;
    int head = selHead_ < 0 ? 0 : selHead_;
    const bool hadSelection = selLayer_ >= 0;
    switch (event->key()) {
        case Qt::Key_Left:
            head = hadSelection ? head - 1 : head;
            break;
        case Qt::Key_Right:
            head = hadSelection ? head + 1 : head;
            break;
        case Qt::Key_Up:
            layer = hadSelection ? layer - 1 : layer;
            break;
        case Qt::Key_Down:
            layer = hadSelection ? layer + 1 : layer;
            break;
        case Qt::Key_Home:
            head = 0;
            break;
        case Qt::Key_End:
            head = heads_ - 1;
            break;
        default:
            return QWidget::keyPressEvent(event);
    }
    selectHead(std::clamp(layer, 0, layers_ - 1), std::clamp(head, 0, heads_ - 1));
    event->accept();
}

void HeadGridWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const Geometry g = geometry();
    if (g.cell == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No heads"));
        return;
    }
    const QFontMetrics fm = painter.fontMetrics();
    const QColor text = palette().color(QPalette::WindowText);
    painter.setPen(text);
    for (int h = 0; h < heads_; ++h) {
        const QRect cell = cellRectIn(g, 0, h);
        painter.drawText(QRect(cell.left() - kSpacing, g.grid.top() - fm.height() - kMargin / 2,
                               cell.width() + 2 * kSpacing, fm.height()),
                         Qt::AlignCenter, QStringLiteral("H%1").arg(h));
    }
    for (int l = 0; l < layers_; ++l) {
        const QRect cell = cellRectIn(g, l, 0);
        painter.drawText(QRect(0, cell.top(), g.grid.left() - kMargin, cell.height()),
                         Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("L%1").arg(l));
    }

    for (int l = 0; l < layers_; ++l) {
        for (int h = 0; h < heads_; ++h) {
            const QRect cell = cellRectIn(g, l, h);
            const int i = index(l, h);
            Thumbnail& thumb = thumbs_[i];
            const float v = scalars_[i];
            if (thumb.rows > 0) {
                const Qt::TransformationMode mode = (thumb.cols > cell.width() || thumb.rows > cell.height())
                                                        ? Qt::SmoothTransformation
                                                        : Qt::FastTransformation;
                if (thumb.scaled.size() != cell.size())
                    thumb.scaled = thumb.image.scaled(cell.size(), Qt::IgnoreAspectRatio, mode);
                painter.drawImage(cell, thumb.scaled);
            } else if (!std::isnan(v)) {
                const QColor fill = scalarScale_.color(v);
                painter.fillRect(cell, fill);
                QFont small;
                const QString label = labelFor(cell, v, &small);
                if (!label.isEmpty()) {
                    painter.save();
                    painter.setFont(small);
                    painter.setPen(contrastingText(fill));
                    painter.drawText(cell, Qt::AlignCenter, label);
                    painter.restore();
                }
            } else {
                painter.fillRect(cell, palette().color(QPalette::AlternateBase));
            }
            painter.setPen(QPen(palette().color(QPalette::Mid), 1));
            painter.drawRect(cell.adjusted(0, 0, -1, -1));
            if (i == hoverIndex_) {
                painter.setPen(QPen(text, 1, Qt::DotLine));
                painter.drawRect(cell.adjusted(0, 0, -1, -1));
            }
        }
    }
    if (valid(selLayer_, selHead_)) {
        const QRect cell = cellRectIn(g, selLayer_, selHead_);
        // Black outside, white inside: visible on every colour of both scales.
        painter.setPen(QPen(palette().color(QPalette::WindowText), 3));
        painter.drawRect(cell.adjusted(-1, -1, 0, 0));
        painter.setPen(QPen(Qt::white, 1, hasFocus() ? Qt::DotLine : Qt::SolidLine));
        painter.drawRect(cell.adjusted(1, 1, -2, -2));
    }
}

}  // namespace needlescope
