#include "ui/views/InspectOverviewPanel.h"

#include <QGroupBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "ui/views/InspectReadouts.h"
#include "ui/widgets/BucketBarsWidget.h"
#include "ui/widgets/HeadGridWidget.h"

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
    gridLayout->addWidget(headGrid_);
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

void InspectOverviewPanel::showHeads(const InspectionResult& r, Normalisation norm, int layer, int head) {
    if (headGrid_->layers() != r.layers || headGrid_->heads() != r.heads)
        headGrid_->setGrid(int(r.layers), int(r.heads));
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
