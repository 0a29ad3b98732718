#include "ui/views/InspectHeadPanel.h"

#include <QLabel>
#include <QVBoxLayout>

#include "ui/views/AttentionDisplay.h"
#include "ui/views/InspectReadouts.h"
#include "ui/widgets/HeatmapWidget.h"

namespace needlescope {

InspectHeadPanel::InspectHeadPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    title_ = new QLabel(this);
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    layout->addWidget(title_);
    lambda_ = new QLabel(this);
    layout->addWidget(lambda_);
    heatmap_ = new HeatmapWidget(this);
    heatmap_->setShowColorBar(true);
    layout->addWidget(heatmap_, 1);
    hover_ = new QLabel(this);
    hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    hover_->setText(hoverHint());
    layout->addWidget(hover_);
    connect(heatmap_, &HeatmapWidget::hovered, this, [this](int row, int col, float value) {
        if (result_ && row >= 0 && row < result_->rows) hover_->setText(cellText(*result_, row, col, value));
    });
}

QString InspectHeadPanel::hoverHint() {
    return tr("Hover the map for the token pair and value; click a row to shade the strip with it.");
}

QString InspectHeadPanel::hoverText() const { return hover_->text(); }

void InspectHeadPanel::setHeadTitle(const QString& title) { title_->setText(title); }

void InspectHeadPanel::showHead(std::shared_ptr<const InspectionResult> result, int layer, int head,
                                MapKind kind, int64_t rowIndex, bool logColours) {
    // A new placement: the read-out of the previous one's cell no longer describes anything on screen.
    if (result != result_) hover_->setText(hoverHint());
    result_ = std::move(result);
    if (!result_) return;
    const InspectionResult& r = *result_;
    lambda_->setText(lambdaText(r, layer));
    if (!showAttention(heatmap_, r, layer, head, kind, rowIndex)) return;
    setLogColours(heatmap_, logColours);
    heatmap_->setTitle(tr("Layer %1 · head %2 — %3 · rows %4–%5 (of %6) × keys 0–%7")
                           .arg(layer)
                           .arg(head)
                           .arg(mapName(r, kind))
                           .arg(r.rowPositions.empty() ? 0 : r.rowPositions.front())
                           .arg(r.rowPositions.empty() ? 0 : r.rowPositions.back())
                           .arg(r.contextLength)
                           .arg(r.cols - 1));
}

}  // namespace needlescope
