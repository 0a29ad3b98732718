#include "ui/widgets/TokenStripWidget.h"

#include <QEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "ui/widgets/NumberFormat.h"
#include "ui/widgets/TokenText.h"

namespace needlescope {
namespace {

constexpr int kMargin = 4;
constexpr int kPadding = 4;  // inside a token box, left and right
constexpr int kGap = 2;      // between token boxes
constexpr int kUnderline = 4;
constexpr int kMaxTokenWidth = 160;

QColor contrastingText(const QColor& background) {
    const double luminance =
        0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luminance > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
}

}  // namespace

TokenStripWidget::TokenStripWidget(QWidget* parent)
    : QAbstractScrollArea(parent), weightName_(tr("attention weight")) {
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    viewport()->setMouseTracking(true);
    horizontalScrollBar()->setSingleStep(20);
}

void TokenStripWidget::setTokens(const QStringList& pieces) {
    tokens_ = pieces;
    weights_.clear();
    current_ = hover_ = -1;
    relayout();
}

void TokenStripWidget::setSpans(const QVector<HighlightSpan>& spans) {
    spans_ = spans;
    updateGeometry();
    viewport()->update();
}

void TokenStripWidget::setWeights(const std::vector<float>& weights, const ColorScale& scale) {
    weights_ = weights;
    weightScale_ = scale;
    viewport()->update();
}

void TokenStripWidget::clearWeights() {
    weights_.clear();
    viewport()->update();
}

void TokenStripWidget::setCurrentToken(int index) {
    current_ = (index >= 0 && index < tokens_.size()) ? index : -1;
    if (current_ >= 0) ensureTokenVisible(current_);
    viewport()->update();
}

void TokenStripWidget::ensureTokenVisible(int index) {
    if (index < 0 || index >= tokens_.size()) return;
    QScrollBar* bar = horizontalScrollBar();
    const int x0 = left_[index];
    const int x1 = x0 + width_[index];
    if (x0 - kMargin < bar->value())
        bar->setValue(x0 - kMargin);
    else if (x1 + kMargin > bar->value() + viewport()->width())
        bar->setValue(x1 + kMargin - viewport()->width());
}

void TokenStripWidget::relayout() {
    const QFontMetrics fm = fontMetrics();
    left_.resize(tokens_.size());
    width_.resize(tokens_.size());
    int x = kMargin;
    for (int i = 0; i < tokens_.size(); ++i) {
        // +2: elidedText() measures with fractional advances and would elide a box sized to the integer
        // width.
        const int w =
            std::min(kMaxTokenWidth, fm.horizontalAdvance(visibleToken(tokens_[i])) + 2) + 2 * kPadding;
        left_[i] = x;
        width_[i] = std::max(w, 2 * kPadding + 4);
        x += width_[i] + kGap;
    }
    contentWidth_ = x + kMargin;
    updateScrollBar();
    updateGeometry();
    viewport()->update();
}

void TokenStripWidget::updateScrollBar() {
    QScrollBar* bar = horizontalScrollBar();
    bar->setRange(0, std::max(0, contentWidth_ - viewport()->width()));
    bar->setPageStep(viewport()->width());
}

int TokenStripWidget::legendHeight() const { return fontMetrics().height() + kMargin; }
int TokenStripWidget::tokenTop() const { return kMargin + legendHeight(); }
int TokenStripWidget::tokenHeight() const { return fontMetrics().height() + 2 * kPadding; }

QSize TokenStripWidget::sizeHint() const {
    const int h = tokenTop() + tokenHeight() + kUnderline + 2 * kMargin +
                  horizontalScrollBar()->sizeHint().height() + 2 * frameWidth();
    return QSize(600, h);
}

QSize TokenStripWidget::minimumSizeHint() const { return QSize(100, sizeHint().height()); }

QRect TokenStripWidget::tokenRect(int index) const {
    if (index < 0 || index >= tokens_.size()) return QRect();
    return QRect(left_[index] - horizontalScrollBar()->value(), tokenTop(), width_[index], tokenHeight());
}

int TokenStripWidget::tokenAt(const QPoint& pos) const {
    if (tokens_.isEmpty() || pos.y() < tokenTop() || pos.y() >= tokenTop() + tokenHeight() + kUnderline)
        return -1;
    const int x = pos.x() + horizontalScrollBar()->value();
    const auto it = std::upper_bound(left_.begin(), left_.end(), x);
    if (it == left_.begin()) return -1;
    const int i = static_cast<int>(it - left_.begin()) - 1;
    return x < left_[i] + width_[i] ? i : -1;
}

QColor TokenStripWidget::tokenBackground(int index) const {
    if (index < 0 || index >= tokens_.size()) return QColor();
    if (static_cast<size_t>(index) < weights_.size() && !std::isnan(weights_[index]))
        return weightScale_.color(weights_[index]);
    for (const HighlightSpan& s : spans_)
        if (s.contains(index)) return s.color.lighter(160);
    return palette().color(QPalette::Base);
}

void TokenStripWidget::setWeightName(const QString& name) {
    weightName_ = name;
    viewport()->update();
}

QString TokenStripWidget::tooltipFor(int index) const {
    QString text = QStringLiteral("#%1  “%2”").arg(index).arg(visibleToken(tokens_[index]));
    if (static_cast<size_t>(index) < weights_.size())
        text += QStringLiteral("\n%1 %2").arg(weightName_, formatValue(weights_[index]));
    QStringList in;
    for (const HighlightSpan& s : spans_)
        if (s.contains(index)) in << s.label;
    if (!in.isEmpty()) text += QStringLiteral("\n%1").arg(in.join(QStringLiteral(", ")));
    return text;
}

void TokenStripWidget::setHover(int index) {
    if (index == hover_) return;
    hover_ = index;
    viewport()->update();
    Q_EMIT tokenHovered(index);
}

bool TokenStripWidget::viewportEvent(QEvent* event) {
    switch (event->type()) {
        case QEvent::MouseMove: {
            auto* me = static_cast<QMouseEvent*>(event);
            const int i = tokenAt(me->position().toPoint());
            if (i != hover_) {
                if (i >= 0)
                    QToolTip::showText(me->globalPosition().toPoint(), tooltipFor(i), viewport());
                else
                    QToolTip::hideText();
            }
            setHover(i);
            return true;
        }
        case QEvent::Leave:
            setHover(-1);
            return true;
        case QEvent::MouseButtonPress: {
            auto* me = static_cast<QMouseEvent*>(event);
            const int i = tokenAt(me->position().toPoint());
            if (me->button() == Qt::LeftButton && i >= 0) {
                Q_EMIT tokenClicked(i);
                return true;
            }
            break;
        }
        case QEvent::Wheel: {
            // A vertical wheel scrolls the strip sideways.
            auto* we = static_cast<QWheelEvent*>(event);
            const QPoint d = we->angleDelta();
            const int delta = std::abs(d.x()) > std::abs(d.y()) ? d.x() : d.y();
            horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta / 2);
            return true;
        }
        default:
            break;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void TokenStripWidget::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBar();
}

void TokenStripWidget::scrollContentsBy(int, int) { viewport()->update(); }

void TokenStripWidget::changeEvent(QEvent* event) {
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange) relayout();
}

void TokenStripWidget::paintEvent(QPaintEvent*) {
    QPainter painter(viewport());
    const QFontMetrics fm = painter.fontMetrics();
    const QColor text = palette().color(QPalette::Text);

    // Legend: one swatch per distinct span label, left to right.
    int lx = kMargin;
    QStringList shown;
    for (const HighlightSpan& s : spans_) {
        if (shown.contains(s.label)) continue;
        shown << s.label;
        const QRect swatch(lx, kMargin + (fm.height() - 10) / 2, 10, 10);
        painter.fillRect(swatch, s.color);
        painter.setPen(text);
        painter.drawText(QPoint(swatch.right() + 4, kMargin + fm.ascent()), s.label);
        lx = swatch.right() + 4 + fm.horizontalAdvance(s.label) + 12;
    }
    if (tokens_.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(QRect(kMargin, tokenTop(), viewport()->width(), tokenHeight()),
                         Qt::AlignLeft | Qt::AlignVCenter, tr("No tokens"));
        return;
    }
    if (!weights_.empty()) {
        const QString note = tr("shading: %1").arg(weightName_);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(QRect(lx, kMargin, viewport()->width() - lx - kMargin, fm.height()),
                         Qt::AlignRight | Qt::AlignVCenter, note);
    }

    const int scroll = horizontalScrollBar()->value();
    // The first token that can be visible is the last one starting at or before the scroll offset.
    const int begin = std::max(
        0, static_cast<int>(std::upper_bound(left_.begin(), left_.end(), scroll) - left_.begin()) - 1);
    for (int i = begin; i < tokens_.size(); ++i) {
        const QRect box = tokenRect(i);
        if (box.left() > viewport()->width()) break;
        const QColor fill = tokenBackground(i);
        painter.fillRect(box, fill);
        painter.setPen(QPen(palette().color(QPalette::Mid), 1));
        painter.drawRect(box.adjusted(0, 0, -1, -1));
        for (const HighlightSpan& s : spans_) {
            if (!s.contains(i)) continue;
            painter.fillRect(QRect(box.left(), box.bottom() + 2, box.width() + kGap, kUnderline), s.color);
            painter.setPen(QPen(s.color, 2));
            painter.drawRect(QRectF(box).adjusted(1, 1, -1, -1));
            break;  // the first span that claims a token draws it
        }
        if (i == current_ || i == hover_) {
            painter.setPen(QPen(i == current_ ? palette().color(QPalette::Highlight) : text, 2,
                                i == current_ ? Qt::SolidLine : Qt::DotLine));
            painter.drawRect(QRectF(box).adjusted(1, 1, -1, -1));
        }
        painter.setPen(contrastingText(fill));
        painter.drawText(box.adjusted(kPadding, 0, -kPadding, 0), Qt::AlignCenter,
                         fm.elidedText(visibleToken(tokens_[i]), Qt::ElideRight, box.width() - 2 * kPadding));
    }
}

}  // namespace needlescope
