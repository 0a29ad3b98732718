#pragma once
// A horizontally scrollable strip of token pieces: highlighted spans (needle, answer, question, sink) with a
// legend, optional per-token weight shading (e.g. the selected query row's attention), hover read-out.
#include <QAbstractScrollArea>
#include <QStringList>
#include <QVector>
#include <vector>

#include "ui/widgets/ColorScale.h"
#include "ui/widgets/HighlightSpan.h"

namespace needlescope {

class TokenStripWidget : public QAbstractScrollArea {
    Q_OBJECT
  public:
    explicit TokenStripWidget(QWidget* parent = nullptr);

    void setTokens(const QStringList& pieces);  // clears weights, keeps spans
    QStringList tokens() const { return tokens_; }
    int tokenCount() const { return tokens_.size(); }

    // Spans are drawn as a coloured underline and frame; the legend lists them in order.
    void setSpans(const QVector<HighlightSpan>& spans);
    QVector<HighlightSpan> spans() const { return spans_; }

    // One weight per token shades its background with `scale` (an empty vector turns shading off).
    void setWeights(const std::vector<float>& weights, const ColorScale& scale);
    void clearWeights();
    bool hasWeights() const { return !weights_.empty(); }
    std::vector<float> weights() const { return weights_; }
    // What the shading shows, in the legend and the hover read-out (default: "attention weight").
    void setWeightName(const QString& name);

    void setCurrentToken(int index);  // an outlined token, e.g. the selected query row; -1: none
    int currentToken() const { return current_; }
    void ensureTokenVisible(int index);

    // Token rectangle in viewport coordinates (the scroll offset applied); empty when out of range.
    QRect tokenRect(int index) const;
    int tokenAt(const QPoint& viewportPos) const;  // -1 when no token is there
    QColor tokenBackground(int index) const;       // the fill used for a token

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  Q_SIGNALS:
    void tokenHovered(int index);  // -1 when the pointer leaves the tokens
    void tokenClicked(int index);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool viewportEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

  private:
    void relayout();
    void updateScrollBar();
    int legendHeight() const;
    int tokenTop() const;
    int tokenHeight() const;
    QString tooltipFor(int index) const;
    void setHover(int index);

    QStringList tokens_;
    std::vector<int> left_;   // content x of each token's left edge
    std::vector<int> width_;  // token box widths
    int contentWidth_ = 0;
    QVector<HighlightSpan> spans_;
    std::vector<float> weights_;
    ColorScale weightScale_;
    QString weightName_;
    int current_ = -1;
    int hover_ = -1;
};

}  // namespace needlescope
