#include "ui/views/CompareAttentionTab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/style/Palette.h"
#include "ui/views/AttentionDisplay.h"
#include "ui/widgets/HeadGridWidget.h"
#include "ui/widgets/HeatmapWidget.h"
#include "ui/widgets/NeedleControls.h"
#include "ui/widgets/NumberFormat.h"

namespace needlescope {
namespace {

constexpr int kMaxPanels = 4;
const QSize kGridSize(240, 150);  // the head grid next to a panel's read-out

}  // namespace

struct CompareAttentionTab::Panel {
    RunSource source;
    QGroupBox* box = nullptr;
    QLabel* info = nullptr;
    HeadGridWidget* grid = nullptr;
    HeatmapWidget* heatmap = nullptr;
    std::shared_ptr<const InspectionResult> result;
    QString error;
    bool signedMap = false;
};

CompareAttentionTab::CompareAttentionTab(QWidget* parent) : QWidget(parent) {
    worker_ = new InspectWorker(this);
    coalesce_ = new QTimer(this);
    coalesce_->setSingleShot(true);
    coalesce_->setInterval(15);
    connect(coalesce_, &QTimer::timeout, this, &CompareAttentionTab::sendRequests);
    connect(worker_, &InspectWorker::finished, this, &CompareAttentionTab::onFinished);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    controls_ = new NeedleControls(NeedleControls::Extras::None, this);
    controls_->needleEdit()->setToolTip(tr("One needle for every run; its last number is the answer"));
    layout->addWidget(controls_);
    auto* headRow = new QHBoxLayout;
    headRow->addWidget(new QLabel(tr("Layer"), this));
    layerSpin_ = new QSpinBox(this);
    layerSpin_->setRange(0, 0);
    headRow->addWidget(layerSpin_);
    headRow->addWidget(new QLabel(tr("Head"), this));
    headSpin_ = new QSpinBox(this);
    headSpin_->setRange(0, 0);
    headSpin_->setToolTip(
        tr("The same head index in every run (DIFF has half as many heads: shown clamped)"));
    headRow->addWidget(headSpin_);
    headRow->addWidget(new QLabel(tr("Map"), this));
    mapCombo_ = new QComboBox(this);
    mapCombo_->addItem(tr("Effective"), int(MapKind::Effective));
    mapCombo_->addItem(tr("A1 (DIFF, V2)"), int(MapKind::A1));
    mapCombo_->addItem(tr("A2 (DIFF, V2)"), int(MapKind::A2));
    headRow->addWidget(mapCombo_);
    sharedScale_ = new QCheckBox(tr("Shared colour scale"), this);
    sharedScale_->setToolTip(tr("One colour range for every map, so the runs' values compare directly"));
    headRow->addWidget(sharedScale_);
    symLog_ = new QCheckBox(tr("Log colours"), this);
    symLog_->setToolTip(
        tr("Sign-preserving log colour scale (linear within 1 % of the largest |value|): small and "
           "negative weights stay visible next to the attention sink"));
    headRow->addWidget(symLog_);
    headRow->addStretch(1);
    status_ = new QLabel(this);
    headRow->addWidget(status_);
    layout->addLayout(headRow);
    panelArea_ = new QWidget(this);
    auto* panelLayout = new QHBoxLayout(panelArea_);
    panelLayout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(panelArea_, 1);

    connect(controls_, &NeedleControls::requestChanged, this, &CompareAttentionTab::schedule);
    connect(layerSpin_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) { updateHeatmaps(); });
    connect(headSpin_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) { updateHeatmaps(); });
    connect(mapCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int) { updateHeatmaps(); });
    connect(sharedScale_, &QCheckBox::toggled, this, [this](bool) { applySharedScale(); });
    connect(symLog_, &QCheckBox::toggled, this, [this](bool) { applySharedScale(); });
}

CompareAttentionTab::~CompareAttentionTab() { qDeleteAll(panels_); }

QVector<HeatmapWidget*> CompareAttentionTab::heatmaps() const {
    QVector<HeatmapWidget*> out;
    for (const Panel* p : panels_) out.push_back(p->heatmap);
    return out;
}

QVector<HeadGridWidget*> CompareAttentionTab::headGrids() const {
    QVector<HeadGridWidget*> out;
    for (const Panel* p : panels_) out.push_back(p->grid);
    return out;
}

void CompareAttentionTab::selectHead(int layer, int head) {
    if (layer < 0 || head < 0) return;
    {
        const QSignalBlocker b1(layerSpin_), b2(headSpin_);
        layerSpin_->setValue(layer);
        headSpin_->setValue(head);
    }
    updateHeatmaps();
}

QVector<std::shared_ptr<const InspectionResult>> CompareAttentionTab::results() const {
    QVector<std::shared_ptr<const InspectionResult>> out;
    for (const Panel* p : panels_) out.push_back(p->result);
    return out;
}

void CompareAttentionTab::showRuns(const QVector<RunSource>& runs) {
    const auto ids = [](const QVector<RunSource>& sources) {
        QVector<qint64> out;
        for (const RunSource& s : sources) out.push_back(s.runId);
        return out;
    };
    if (ids(runs) != ids(runs_)) contextKnown_ = false;  // other models: other context limits
    runs_ = runs;
    // Only when the models behind the panels changed (a refresh during training keeps them).
    QVector<QPair<qint64, qint64>> models;
    for (const RunSource& s : runs_) models.push_back({s.runId, s.steps.isEmpty() ? -1 : s.steps.back()});
    if (models != panelModels_ || panels_.isEmpty()) {
        panelModels_ = models;
        rebuildPanels();
    }
}

void CompareAttentionTab::rebuildPanels() {
    qDeleteAll(panels_);  // Panel does not own its widgets …
    panels_.clear();
    auto* layout = static_cast<QHBoxLayout*>(panelArea_->layout());
    while (QLayoutItem* item = layout->takeAt(0)) {  // … the area does
        delete item->widget();
        delete item;
    }
    int maxContext = 0;
    for (const RunSource& s : runs_) {
        if (s.steps.isEmpty() || panels_.size() >= kMaxPanels) continue;
        auto* panel = new Panel;
        panel->source = s;
        panel->box = new QGroupBox(tr("%1 · step %2").arg(s.label()).arg(s.steps.back()), panelArea_);
        auto* v = new QVBoxLayout(panel->box);
        v->setContentsMargins(4, 4, 4, 4);
        panel->info = new QLabel(panel->box);
        panel->info->setWordWrap(true);
        panel->info->setTextFormat(Qt::RichText);
        panel->grid = new HeadGridWidget(panel->box);
        panel->grid->setMaximumSize(kGridSize);
        panel->grid->setShowValues(false);
        panel->grid->setToolTip(
            tr("Answer attention (signed) of every head at the needle's query row: click a head to show it "
               "in every run"));
        connect(panel->grid, &HeadGridWidget::headSelected, this, &CompareAttentionTab::selectHead);
        auto* top = new QHBoxLayout;
        top->addWidget(panel->info, 1);
        top->addWidget(panel->grid, 0, Qt::AlignTop);
        v->addLayout(top);
        panel->heatmap = new HeatmapWidget(panel->box);
        v->addWidget(panel->heatmap, 1);
        layout->addWidget(panel->box, 1);
        panels_.push_back(panel);
        maxContext = maxContext == 0 ? s.maxContext : std::min(maxContext, s.maxContext);
    }
    if (panels_.isEmpty()) {
        auto* label = new QLabel(runs_.isEmpty() ? tr("Check runs on the left to compare their attention.")
                                                 : tr("None of the checked runs has a checkpoint yet."),
                                 panelArea_);
        label->setAlignment(Qt::AlignCenter);
        layout->addWidget(label);
        return;
    }
    if (!contextKnown_) controls_->startModel(maxContext);  // the smallest model's limit holds for all
    schedule();
}

void CompareAttentionTab::schedule() {
    if (!panels_.isEmpty()) coalesce_->start();
}

void CompareAttentionTab::sendRequests() {
    std::vector<InspectionRequest> requests;
    sentRuns_.clear();
    for (const Panel* p : panels_) {
        sentRuns_.push_back(p->source.runId);
        InspectionRequest r = requestFor(p->source, int(p->source.steps.size()) - 1);
        controls_->fillRequest(r);
        requests.push_back(r);
    }
    if (requests.empty()) return;
    status_->setText(tr("computing…"));
    sentId_ = worker_->request(requests);
}

void CompareAttentionTab::onFinished(const InspectOutcome& outcome) {
    // Only the job sent for the panels shown now (a run change makes earlier jobs meaningless).
    QVector<qint64> shown;
    for (const Panel* p : panels_) shown.push_back(p->source.runId);
    if (outcome.id != sentId_ || shown != sentRuns_) return;
    status_->setText(tr("%1 ms").arg(outcome.milliseconds, 0, 'f', 0));
    int64_t maxPrompt = 0, minPrompt = 0, layers = 0, heads = 0;
    for (int i = 0; i < panels_.size() && i < outcome.entries.size(); ++i) {
        Panel* p = panels_[i];
        p->result = outcome.entries[i].result;
        p->error = outcome.entries[i].error;
        if (!p->result) continue;
        const InspectionResult& r = *p->result;
        showHeadGrid(p->grid, r);
        maxPrompt = maxPrompt == 0 ? r.maxPromptLength : std::min(maxPrompt, r.maxPromptLength);
        minPrompt = std::max(minPrompt, r.minPromptLength);
        layers = std::max(layers, r.layers);
        heads = std::max(heads, r.heads);
    }
    if (maxPrompt > 0) {
        controls_->setPromptLimits(minPrompt, maxPrompt);  // what every compared model allows
        contextKnown_ = true;
    }
    for (const Panel* p : panels_)
        if (p->result) controls_->showPlacement(*p->result);
    if (layers > 0) {
        const bool first = layerSpin_->maximum() == 0 && headSpin_->maximum() == 0;
        const QSignalBlocker b1(layerSpin_), b2(headSpin_);
        layerSpin_->setRange(0, int(layers) - 1);
        headSpin_->setRange(0, int(heads) - 1);
        if (first) layerSpin_->setValue(int(layers) - 1);
    }
    updateHeatmaps();
}

// Every head's signed answer attention at the query row, as Inspect's head grid shows it.
void CompareAttentionTab::showHeadGrid(HeadGridWidget* grid, const InspectionResult& r) {
    if (grid->layers() != r.layers || grid->heads() != r.heads) grid->setGrid(int(r.layers), int(r.heads));
    std::vector<float> values;
    values.reserve(r.perHead.size());
    bool negative = false;
    for (const RowBuckets& h : r.perHead) {
        values.push_back(float(h.signedNorm.answer));
        negative = negative || h.signedNorm.answer < 0;
    }
    grid->setScaleMode(r.diff || negative ? ColorScale::Mode::Diverging : ColorScale::Mode::Sequential);
    grid->setScalars(values);
}

void CompareAttentionTab::updateHeatmaps() {
    const MapKind wanted = MapKind(mapCombo_->currentData().toInt());
    for (Panel* p : panels_) {
        if (!p->result) {
            p->heatmap->clear();
            p->grid->setGrid(0, 0);
            p->info->setText(p->error.isEmpty() ? tr("…")
                                                : QStringLiteral("<span style='color:%1'>%2</span>")
                                                      .arg(errorColor().name(), p->error.toHtmlEscaped()));
            continue;
        }
        const InspectionResult& r = *p->result;
        const int layer = std::min(layerSpin_->value(), int(r.layers) - 1);
        const int head = std::min(headSpin_->value(), int(r.heads) - 1);
        if (!showAttention(p->heatmap, r, layer, head, wanted, r.queryRowIndex)) continue;
        p->signedMap = isSignedMap(r, shownKind(r, wanted));
        const bool clamped = layer != layerSpin_->value() || head != headSpin_->value();
        p->heatmap->setTitle(tr("layer %1 · head %2%3")
                                 .arg(layer)
                                 .arg(head)
                                 .arg(clamped ? tr(" (nearest that exists)") : QString()));
        {
            const QSignalBlocker block(p->grid);
            p->grid->selectHead(layer, head);
        }
        const RowBuckets& b = r.buckets(layer, head);
        QString info = tr("answer %1 · noise %2 (signed; this head) · mean answer %3 · ")
                           .arg(formatValue(b.signedNorm.answer), formatValue(b.signedNorm.noise),
                                formatValue(r.mean.signedNorm.answer));
        if (r.diff && size_t(layer) < r.lambdas.size())
            info += (r.diff2 ? tr("λ at the query row = %1 · ") : tr("λ = %1 · "))
                        .arg(formatValue(r.lambdas[size_t(layer)]));
        const QString greedy = QString::fromStdString(r.greedyText).trimmed().toHtmlEscaped();
        info +=
            r.hit ? tr("greedy <b>%1</b> <span style='color:%2'>✓</span>").arg(greedy, successColor().name())
                  : tr("greedy <b>%1</b> <span style='color:%2'>✗</span>")
                        .arg(greedy.isEmpty() ? QStringLiteral("∅") : greedy, errorColor().name());
        p->info->setText(info);
    }
    applySharedScale();
}

void CompareAttentionTab::applySharedScale() {
    if (!sharedScale_->isChecked()) {
        for (Panel* p : panels_) {
            p->heatmap->clearFixedRange();
            p->heatmap->setScaleMode(p->signedMap ? ColorScale::Mode::Diverging
                                                  : ColorScale::Mode::Sequential);
        }
    } else {
        float lo = 0, hi = 0;
        bool anySigned = false;
        for (const Panel* p : panels_) {
            if (p->heatmap->rows() == 0) continue;
            const auto range = p->heatmap->dataRange();
            lo = std::min(lo, range.first);
            hi = std::max(hi, range.second);
            anySigned = anySigned || p->signedMap || range.first < 0;
        }
        if (hi <= lo) hi = lo + 1;
        for (Panel* p : panels_) {
            // A signed map on either side puts both on the diverging scale, so equal colours mean equal
            // values.
            p->heatmap->setScaleMode(anySigned ? ColorScale::Mode::Diverging : ColorScale::Mode::Sequential);
            p->heatmap->setFixedRange(lo, hi);
        }
    }
    for (Panel* p : panels_) setLogColours(p->heatmap, symLog_->isChecked());
}

}  // namespace needlescope
