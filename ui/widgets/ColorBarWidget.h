#pragma once
// A colour bar (legend) for a ColorScale: the gradient plus min / 0 / max tick labels and a title.
#include <QString>
#include <QWidget>

#include "ui/widgets/ColorScale.h"

class QPainter;

namespace needlescope {

class ColorBarWidget : public QWidget {
    Q_OBJECT
  public:
    explicit ColorBarWidget(QWidget* parent = nullptr);

    void setColorScale(const ColorScale& scale);
    const ColorScale& colorScale() const { return scale_; }
    void setTitle(const QString& title);
    QString title() const { return title_; }
    void setOrientation(Qt::Orientation orientation);
    Qt::Orientation orientation() const { return orientation_; }

    // Paints a bar with its ticks and title inside `area`; shared with widgets that draw a legend inline.
    static void paint(QPainter& painter, const QRect& area, const ColorScale& scale,
                      Qt::Orientation orientation, const QString& title = QString());
    // The width (vertical) or height (horizontal) that paint() needs for its labels with this font.
    static int preferredThickness(const QFontMetrics& metrics, const ColorScale& scale,
                                  Qt::Orientation orientation, const QString& title = QString());

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    ColorScale scale_;
    QString title_;
    Qt::Orientation orientation_ = Qt::Vertical;
};

}  // namespace needlescope
