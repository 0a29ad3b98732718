#pragma once
// A layers × heads grid: each cell is a colour encoding one scalar per head (e.g. answer attention) or a
// tiny heatmap thumbnail. Row labels "L0…", column labels "H0…"; click or arrow keys select a head.
#include <QImage>
#include <QVector>
#include <QWidget>
#include <vector>

#include "ui/widgets/ColorScale.h"

namespace needlescope {

class HeadGridWidget : public QWidget {
    Q_OBJECT
  public:
    explicit HeadGridWidget(QWidget* parent = nullptr);

    // Resets the grid to layers × heads empty cells (keeps the selection when it still fits).
    void setGrid(int layers, int heads);
    int layers() const { return layers_; }
    int heads() const { return heads_; }

    // One scalar per head, layer-major (layers × heads values); each cell is filled with its colour.
    void setScalars(const std::vector<float>& values);
    // A tiny heatmap for one head (rows × cols, row-major); shown instead of the scalar colour.
    void setThumbnail(int layer, int head, int rows, int cols, const std::vector<float>& values);
    void clearThumbnails();
    float scalar(int layer, int head) const;  // NaN when unset

    void setScaleMode(ColorScale::Mode mode);
    ColorScale::Mode scaleMode() const { return mode_; }
    // Fixed range for the scalars and thumbnails; without it scalars share a range fitted to all heads and
    // each thumbnail is fitted to its own values.
    void setFixedRange(float minimum, float maximum);
    void clearFixedRange();
    ColorScale scalarScale() const { return scalarScale_; }
    // Print each scalar inside its cell, abbreviated as far as the cell needs (compactForms); the full
    // value is in the cell's tooltip.
    void setShowValues(bool show);
    // The text printed in the cell (empty when none fits, for thumbnails and for unset values).
    QString cellLabel(int layer, int head) const;
    // The cell's tooltip: layer, head and the full value.
    QString cellToolTip(int layer, int head) const;

    void selectHead(int layer, int head);  // emits headSelected when it changes; (-1, -1) clears
    int selectedLayer() const { return selLayer_; }
    int selectedHead() const { return selHead_; }

    // The cell's rectangle in widget coordinates (empty when out of range).
    QRect cellRect(int layer, int head) const;
    bool cellAt(const QPoint& pos, int* layer, int* head) const;
    // The colour the scalar of a head is drawn with (invalid when the head has a thumbnail or no scalar).
    QColor cellColor(int layer, int head) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  Q_SIGNALS:
    void headSelected(int layer, int head);
    void headHovered(int layer, int head, float value);

  protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

  private:
    struct Thumbnail {
        int rows = 0;
        int cols = 0;
        std::vector<float> values;
        QImage image;   // one pixel per value
        QImage scaled;  // image at the cell size last painted
    };
    struct Geometry {
        QRect grid;  // the cells, without labels
        int cell = 0;
        int spacing = 0;
    };
    Geometry geometry() const;
    QRect cellRectIn(const Geometry& g, int layer, int head) const;
    int index(int layer, int head) const { return layer * heads_ + head; }
    bool valid(int layer, int head) const {
        return layer >= 0 && head >= 0 && layer < layers_ && head < heads_;
    }
    QString labelFor(const QRect& cell, float value, QFont* fontUsed = nullptr) const;
    QFont valueFont(int step) const;  // 0: the values' font; 1: the smaller one for narrow cells
    void rebuildScalarScale();
    void rebuildThumbnail(Thumbnail& thumb) const;
    void rebuildThumbnails();

    int layers_ = 0;
    int heads_ = 0;
    std::vector<float> scalars_;
    QVector<Thumbnail> thumbs_;
    ColorScale::Mode mode_ = ColorScale::Mode::Sequential;
    bool fixedRange_ = false;
    float fixedMin_ = 0.0f;
    float fixedMax_ = 1.0f;
    ColorScale scalarScale_;
    bool showValues_ = true;
    int selLayer_ = -1;
    int selHead_ = -1;
    int hoverIndex_ = -1;
};

}  // namespace needlescope
