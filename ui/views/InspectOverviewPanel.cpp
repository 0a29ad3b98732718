#include "ui/views/InspectOverviewPanel.h"

#include <QCheckBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "ui/views/AttentionDisplay.h"
#include "ui/views/InspectReadouts.h"
#include "ui/widgets/BucketBarsWidget.h"
#include "ui/widgets/HeadGridWidget.h"
#include "ui/widgets/MapThumbnail.h"

namespace needlescope {

InspectOverviewPanel::InspectOverviewPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* gridBox = new QGroupBox(tr("Heads — answer attention of the last token"), this);
    auto* gridLayout = new QVBoxLayout(gridBox);
    gridLayout->setContentsMargins(4, 4, 4, 4);
    headGrid_ = new HeadGridWidget(gridBox);
    headGrid_->setToolTip(
        tr("Layers × heads, coloured by the query row's attention to the answer; click a head"));
    gridLayout->addWidget(headGrid_, 1);
    auto* noteRow = new QHBoxLayout;
    headsNote_ = new QLabel(gridBox);
    headsNote_->setWordWrap(true);
    noteRow->addWidget(headsNote_, 1);
    mapsBox_ = new QCheckBox(tr("Maps"), gridBox);
    mapsBox_->setToolTip(
        tr("Show a thumbnail of every head's attention map (query rows × keys, the "
           "strongest weight of each block) to find the heads that look at the needle; "
           "click one to select it"));
    noteRow->addWidget(mapsBox_);
    gridLayout->addLayout(noteRow);
    layout->addWidget(gridBox, 3);
    auto* barsBox = new QGroupBox(tr("Buckets of the query row"), this);
    auto* barsLayout = new QVBoxLayout(barsBox);
    barsLayout->setContentsMargins(4, 4, 4, 4);
    bucketBars_ = new BucketBarsWidget(barsBox);
    barsLayout->addWidget(bucketBars_);
    layout->addWidget(barsBox, 3);
    greedy_ = new QLabel(this);
    greedy_->setWordWrap(true);
    greedy_->setTextFormat(Qt::RichText);
    layout->addWidget(greedy_);
}

QString InspectOverviewPanel::headsNote() const { return headsNote_->text(); }

void InspectOverviewPanel::showHeads(const InspectionResult& r, Normalisation norm, int layer, int head,
                                     MapKind kind) {
    if (headGrid_->layers() != r.layers || headGrid_->heads() != r.heads)
        headGrid_->setGrid(int(r.layers), int(r.heads));
    if (r.diff2) {
        headsNote_->setText(tr("%1 differential V2 heads per layer").arg(r.heads));
        headsNote_->setToolTip(tr("DIFF V2 has %1 query heads per layer: heads 2i and 2i+1 share a key/value "
                                  "head and combine as A₂ᵢ − λₜ·A₂ᵢ₊₁ with λ per token, so it shows %2 heads "
                                  "(as many as a standard model of the same width)")
                                   .arg(2 * r.heads)
                                   .arg(r.heads));
    } else if (r.diff) {
        headsNote_->setText(tr("%1 differential heads per layer").arg(r.heads));
        headsNote_->setToolTip(
            tr("DIFF splits each layer's %1 attention heads into %2 differential heads: each one is two "
               "softmax maps A1 and A2 combined as A1 − λ·A2, so it shows half the heads of a standard "
               "model of the same size")
                .arg(2 * r.heads)
                .arg(r.heads));
    } else {
        headsNote_->setText(tr("%1 heads per layer").arg(r.heads));
        headsNote_->setToolTip(tr("Standard softmax attention heads"));
    }
    headGrid_->clearThumbnails();
    if (mapsBox_->isChecked()) {
        const MapKind shown = shownKind(r, kind);
        for (int64_t l = 0; l < r.layers; ++l)
            for (int64_t h = 0; h < r.heads; ++h) {
                const PooledMap t = mapThumbnail(r.map(shown, l, h), int(r.rows), int(r.cols), 32);
                headGrid_->setThumbnail(int(l), int(h), t.rows, t.cols, t.values);
            }
    }
    std::vector<float> values;
    values.reserve(size_t(r.layers * r.heads));
    for (const RowBuckets& h : r.perHead) values.push_back(float(pick(h, norm).answer));
    bool negative = false;
    for (float v : values) negative = negative || v < 0;
    headGrid_->setScaleMode(r.diff || negative ? ColorScale::Mode::Diverging : ColorScale::Mode::Sequential);
    headGrid_->setScalars(values);
    {
        const QSignalBlocker block(headGrid_);
        headGrid_->selectHead(layer, head);
    }
    greedy_->setText(greedyAnswerText(r));
}

void InspectOverviewPanel::showBuckets(const InspectionResult& r, int layer, int head, Normalisation norm,
                                       const QString& normName) {
    const QVector<BarSeries> series = bucketSeries(r, layer, head, norm);
    double lo = 0, hi = 1;
    for (const BarSeries& s : series)
        for (double v : s.values)
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    bucketBars_->setSeries(series);
    bucketBars_->setValueRange(lo, hi);
    bucketBars_->setTitle(tr("Query row #%1 · %2").arg(r.queryRow).arg(normName));
}

}  // namespace needlescope
