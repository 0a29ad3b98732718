#pragma once
// A matrix (query rows × keys) drawn as a heatmap from a cached image (one pixel per cell, scaled), with
// token labels, column-span outlines, an inline colour bar, hover read-out and click.
#include <QImage>
#include <QPair>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <vector>

#include "ui/widgets/ColorScale.h"
#include "ui/widgets/HighlightSpan.h"

namespace needlescope {

class HeatmapWidget : public QWidget {
    Q_OBJECT
  public:
    explicit HeatmapWidget(QWidget* parent = nullptr);

    // Row-major values, rows × cols of them (a size mismatch clears the matrix).
    void setMatrix(int rows, int cols, std::vector<float> values);
    void clear();
    int rows() const { return rows_; }
    int cols() const { return cols_; }
    float value(int row, int col) const;  // NaN outside the matrix

    // Token strings; a list shorter than the matrix leaves the remaining rows/columns as their index.
    void setRowLabels(const QStringList& labels);
    void setColumnLabels(const QStringList& labels);
    void setTitle(const QString& title);
    QString title() const { return title_; }

    // Sequential (viridis, for [0, max]) or diverging (blue–white–red centred on 0, ±max|v|).
    void setScaleMode(ColorScale::Mode mode);
    ColorScale::Mode scaleMode() const { return mode_; }
    // A fixed range shared with other heatmaps; diverging mode makes it symmetric around 0.
    void setFixedRange(float minimum, float maximum);
    void clearFixedRange();
    bool hasFixedRange() const { return fixedRange_; }
    // Sign-preserving symmetric log colour transfer (0 = linear).
    void setSymLog(float linearWidth);
    // Finite min/max of the data (0, 0 when empty), to compute a range shared by several heatmaps.
    QPair<float, float> dataRange() const;
    // The colour scale in effect (the fixed range, or one fitted to the data).
    ColorScale colorScale() const { return scale_; }

    void setColumnSpans(const QVector<HighlightSpan>& spans);
    QVector<HighlightSpan> columnSpans() const { return spans_; }
    void setHighlightedRow(int row);  // -1: none
    int highlightedRow() const { return highlightedRow_; }
    void setShowColorBar(bool show);
    void setColorBarTitle(const QString& title);
    // Square cells (a causal query × key map looks like a triangle); otherwise the cells fill the area.
    void setSquareCells(bool square);

    // The colour the cell is drawn with, from the cached image.
    QColor cellColor(int row, int col) const;
    // Where a cell is drawn, in widget coordinates (empty when out of range).
    QRect cellRect(int row, int col) const;
    // The cell under a widget position; false outside the matrix.
    bool cellAt(const QPoint& pos, int* row, int* col) const;
    // The matrix area (the plot without labels and colour bar).
    QRect plotRect() const;
    // "row token → column token: value", as shown by the hover tooltip (empty when nothing is hovered).
    QString hoverText() const;
    // PNG or SVG by suffix; an empty size keeps the widget's size.
    bool exportImage(const QString& path, const QSize& size = QSize());

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  Q_SIGNALS:
    void hovered(int row, int col, float value);
    void hoverLeft();
    void cellClicked(int row, int col);
    void colorScaleChanged(const needlescope::ColorScale& scale);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

  private:
    struct Layout {
        QRect title;
        QRect plot;
        QRect rowLabels;
        QRect colLabels;
        QRect colorBar;
    };
    Layout computeLayout() const;
    QRect cellRectIn(const QRect& plot, int row, int col) const;
    void updateScale();
    void ensureImage() const;
    const QImage& scaledImage(const QSize& devicePixels) const;
    QString rowLabel(int row) const;
    QString colLabel(int col) const;
    QString describeCell(int row, int col) const;
    void setHover(int row, int col, const QPoint& globalPos);
    void paintRowLabels(QPainter& painter, const Layout& layout) const;
    void paintColumnLabels(QPainter& painter, const Layout& layout) const;
    void paintOverlays(QPainter& painter, const Layout& layout) const;

    int rows_ = 0;
    int cols_ = 0;
    std::vector<float> values_;
    QStringList rowLabels_;
    QStringList colLabels_;
    QString title_;
    QString colorBarTitle_;
    ColorScale::Mode mode_ = ColorScale::Mode::Sequential;
    bool fixedRange_ = false;
    float fixedMin_ = 0.0f;
    float fixedMax_ = 1.0f;
    float symLog_ = 0.0f;
    ColorScale scale_;
    QVector<HighlightSpan> spans_;
    int highlightedRow_ = -1;
    bool showColorBar_ = true;
    bool squareCells_ = false;
    int hoverRow_ = -1;
    int hoverCol_ = -1;

    mutable int rowLabelExtent_ = -1;  // widest row label in pixels (cached; -1 = unknown)
    mutable int colLabelExtent_ = -1;
    mutable QImage image_;  // cols × rows, one pixel per cell
    mutable bool imageDirty_ = true;
    mutable QImage scaled_;  // image_ scaled to the plot's device pixels
};

}  // namespace needlescope
