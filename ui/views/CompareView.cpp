#include "ui/views/CompareView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <tuple>

#include "core/store/RunStore.h"
#include "ui/charts/DepthCurveChart.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/widgets/ConfigDiffTable.h"
#include "ui/widgets/HeatmapWidget.h"
#include "ui/widgets/NumberFormat.h"
#include "ui/views/InspectionSpans.h"
#include "ui/widgets/HighlightSpan.h"

namespace needlescope {
namespace {

constexpr int kMaxPanels = 4;
constexpr int kDefaultContext = 256;

// Okabe–Ito: one colour per compared run, the same in every chart of the view.
QColor runColor(int index) {
    static const QColor colors[] = {QColor(0x00, 0x72, 0xB2), QColor(0xD5, 0x5E, 0x00), QColor(0x00, 0x9E, 0x73),
                                    QColor(0xCC, 0x79, 0xA7), QColor(0xE6, 0x9F, 0x00), QColor(0x56, 0xB4, 0xE9)};
    return colors[index % 6];
}

QString shortName(const RunSource& s) { return QStringLiteral("#%1 %2").arg(s.runId).arg(s.kind); }

QJsonObject configOf(const RunStore& store, qint64 runId) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(store.run(runId).configJson)).object();
}

}  // namespace

struct CompareView::Panel {
    RunSource source;
    QGroupBox* box = nullptr;
    QLabel* info = nullptr;
    HeatmapWidget* heatmap = nullptr;
    std::shared_ptr<const InspectionResult> result;
    QString error;
};

CompareView::CompareView(const needlescope::app::AppPaths& paths, QWidget* parent) : QWidget(parent), paths_(paths) {
    worker_ = new InspectWorker(this);
    rebuildTimer_ = new QTimer(this);
    rebuildTimer_->setSingleShot(true);
    rebuildTimer_->setInterval(0);
    connect(rebuildTimer_, &QTimer::timeout, this, &CompareView::rebuild);
    attentionTimer_ = new QTimer(this);
    attentionTimer_->setSingleShot(true);
    attentionTimer_->setInterval(15);
    connect(attentionTimer_, &QTimer::timeout, this, &CompareView::sendAttention);
    connect(worker_, &InspectWorker::finished, this, &CompareView::onFinished);
    buildUi();
    refresh();
}

CompareView::~CompareView() { qDeleteAll(panels_); }

QStringList CompareView::ignoredConfigKeys() {
    return {QStringLiteral("name"),           QStringLiteral("group"),     QStringLiteral("train.name"),
            QStringLiteral("tokenizer_model"), QStringLiteral("data.root"), QStringLiteral("paths"),
            QStringLiteral("output_dir"),      QStringLiteral("checkpoint_dir")};
}

void CompareView::buildUi() {
    auto* root = new QHBoxLayout(this);
    root->setContentsMargins(6, 6, 6, 6);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    root->addWidget(splitter);

    // Left: runs and configuration differences.
    auto* left = new QWidget(splitter);
    left->setMinimumWidth(280);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto* groupRow = new QHBoxLayout;
    groupRow->addWidget(new QLabel(tr("Experiment"), left));
    groupCombo_ = new QComboBox(left);
    groupCombo_->setToolTip(tr("Check every run of a paired experiment"));
    groupRow->addWidget(groupCombo_, 1);
    leftLayout->addLayout(groupRow);
    runList_ = new QListWidget(left);
    runList_->setToolTip(tr("Check two or more runs to compare"));
    leftLayout->addWidget(runList_, 2);
    auto* diffBox = new QGroupBox(tr("Configuration differences"), left);
    auto* diffLayout = new QVBoxLayout(diffBox);
    diffLayout->setContentsMargins(4, 4, 4, 4);
    diffSummary_ = new QLabel(diffBox);
    diffSummary_->setWordWrap(true);
    diffLayout->addWidget(diffSummary_);
    diffTable_ = new ConfigDiffTable(diffBox);
    diffTable_->setIgnoredKeys(ignoredConfigKeys());
    diffLayout->addWidget(diffTable_, 1);
    leftLayout->addWidget(diffBox, 3);
    splitter->addWidget(left);

    // Right: tabs.
    tabs_ = new QTabWidget(splitter);
    auto* curves = new QWidget(tabs_);
    auto* curvesLayout = new QVBoxLayout(curves);
    curvesLayout->setContentsMargins(4, 4, 4, 4);
    lossChart_ = new LossChartWidget(curves);
    lossChart_->setTitle(tr("Loss (train solid, validation dashed)"));
    lossChart_->setYAxisTitle(tr("loss"));
    curvesLayout->addWidget(lossChart_, 1);
    auto* probeRow = new QHBoxLayout;
    probeRow->addWidget(new QLabel(tr("Probe at"), curves));
    stepSlider_ = new QSlider(Qt::Horizontal, curves);
    stepSlider_->setRange(0, 0);
    stepSlider_->setToolTip(tr("The stored probes over training: how answer and noise attention evolved"));
    probeRow->addWidget(stepSlider_, 1);
    stepLabel_ = new QLabel(curves);
    stepLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("step 000000 (00 of 00)")));
    probeRow->addWidget(stepLabel_);
    probeRow->addWidget(new QLabel(tr("Buckets"), curves));
    normCombo_ = new QComboBox(curves);
    normCombo_->setObjectName(QStringLiteral("probeNorm"));
    normCombo_->addItem(tr("signed"), int(Normalisation::Signed));
    normCombo_->addItem(tr("absolute"), int(Normalisation::Absolute));
    normCombo_->addItem(tr("raw"), int(Normalisation::Raw));
    probeRow->addWidget(normCombo_);
    curvesLayout->addLayout(probeRow);
    depthChart_ = new DepthCurveChart(curves);
    curvesLayout->addWidget(depthChart_, 1);
    probeInfo_ = new QLabel(curves);
    probeInfo_->setWordWrap(true);
    curvesLayout->addWidget(probeInfo_);
    tabs_->addTab(curves, tr("Curves and probes"));

    auto* attention = new QWidget(tabs_);
    auto* attentionLayout = new QVBoxLayout(attention);
    attentionLayout->setContentsMargins(4, 4, 4, 4);
    auto* textRow = new QHBoxLayout;
    textRow->addWidget(new QLabel(tr("Needle"), attention));
    needleEdit_ = new QLineEdit(attention);
    needleEdit_->setToolTip(tr("One needle for every run; its last number is the answer"));
    textRow->addWidget(needleEdit_, 1);
    textRow->addWidget(new QLabel(tr("Question"), attention));
    questionEdit_ = new QLineEdit(attention);
    textRow->addWidget(questionEdit_, 1);
    resetTexts_ = new QToolButton(attention);
    resetTexts_->setText(tr("Generated"));
    resetTexts_->setToolTip(tr("Back to the probe generator's needle and question"));
    textRow->addWidget(resetTexts_);
    attentionLayout->addLayout(textRow);
    auto* sliderRow = new QHBoxLayout;
    sliderRow->addWidget(new QLabel(tr("Depth"), attention));
    depthSlider_ = new QSlider(Qt::Horizontal, attention);
    depthSlider_->setRange(0, 100);
    depthSlider_->setValue(50);
    depthSlider_->setPageStep(25);
    depthSlider_->setTickPosition(QSlider::TicksBelow);
    depthSlider_->setTickInterval(25);
    sliderRow->addWidget(depthSlider_, 1);
    depthLabel_ = new QLabel(attention);
    depthLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("100 %")));
    sliderRow->addWidget(depthLabel_);
    sliderRow->addWidget(new QLabel(tr("Context"), attention));
    contextSlider_ = new QSlider(Qt::Horizontal, attention);
    contextSlider_->setRange(32, 256);
    contextSlider_->setValue(256);
    contextSlider_->setPageStep(32);
    sliderRow->addWidget(contextSlider_, 1);
    contextLabel_ = new QLabel(attention);
    contextLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("10000 tokens")));
    sliderRow->addWidget(contextLabel_);
    attentionLayout->addLayout(sliderRow);
    auto* headRow = new QHBoxLayout;
    headRow->addWidget(new QLabel(tr("Layer"), attention));
    layerSpin_ = new QSpinBox(attention);
    layerSpin_->setRange(0, 0);
    headRow->addWidget(layerSpin_);
    headRow->addWidget(new QLabel(tr("Head"), attention));
    headSpin_ = new QSpinBox(attention);
    headSpin_->setRange(0, 0);
    headSpin_->setToolTip(tr("The same head index in every run (DIFF has half as many heads: shown clamped)"));
    headRow->addWidget(headSpin_);
    headRow->addWidget(new QLabel(tr("Map"), attention));
    mapCombo_ = new QComboBox(attention);
    mapCombo_->addItem(tr("Effective"), int(MapKind::Effective));
    mapCombo_->addItem(tr("A1 (DIFF)"), int(MapKind::A1));
    mapCombo_->addItem(tr("A2 (DIFF)"), int(MapKind::A2));
    headRow->addWidget(mapCombo_);
    sharedScale_ = new QCheckBox(tr("Shared colour scale"), attention);
    sharedScale_->setToolTip(tr("One colour range for every map, so the runs' values compare directly"));
    headRow->addWidget(sharedScale_);
    symLog_ = new QCheckBox(tr("Log colours"), attention);
    symLog_->setToolTip(tr("Sign-preserving log colour scale (linear within 1 % of the largest |value|): small and "
                           "negative weights stay visible next to the attention sink"));
    headRow->addWidget(symLog_);
    headRow->addStretch(1);
    attentionStatus_ = new QLabel(attention);
    headRow->addWidget(attentionStatus_);
    attentionLayout->addLayout(headRow);
    panelArea_ = new QWidget(attention);
    auto* panelLayout = new QHBoxLayout(panelArea_);
    panelLayout->setContentsMargins(0, 0, 0, 0);
    attentionLayout->addWidget(panelArea_, 1);
    tabs_->addTab(attention, tr("Attention side by side"));

    splitter->addWidget(tabs_);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({330, 930});

    // Wiring.
    connect(groupCombo_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        const QString group = groupCombo_->itemData(index).toString();
        QVector<qint64> ids;
        for (const RunSource& s : sources_)
            if (s.group == group) ids.push_back(s.runId);
        std::sort(ids.begin(), ids.end());
        fillRunList(ids);
        rebuildTimer_->start();
    });
    connect(runList_, &QListWidget::itemChanged, this, [this](QListWidgetItem*) { rebuildTimer_->start(); });
    connect(stepSlider_, &QSlider::valueChanged, this, [this](int) { updateDepthCurves(); });
    connect(normCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) { updateDepthCurves(); });
    connect(depthSlider_, &QSlider::valueChanged, this, [this](int) {
        updateSliderLabels();
        scheduleAttention();
    });
    connect(contextSlider_, &QSlider::valueChanged, this, [this](int) {
        updateSliderLabels();
        scheduleAttention();
    });
    connect(needleEdit_, &QLineEdit::textEdited, this, [this](const QString&) { customNeedle_ = true; });
    connect(questionEdit_, &QLineEdit::textEdited, this, [this](const QString&) { customQuestion_ = true; });
    connect(needleEdit_, &QLineEdit::editingFinished, this, [this] {
        if (customNeedle_) scheduleAttention();
    });
    connect(questionEdit_, &QLineEdit::editingFinished, this, [this] {
        if (customQuestion_) scheduleAttention();
    });
    connect(resetTexts_, &QToolButton::clicked, this, [this] {
        customNeedle_ = customQuestion_ = false;
        scheduleAttention();
    });
    connect(layerSpin_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) { updateHeatmaps(); });
    connect(headSpin_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) { updateHeatmaps(); });
    connect(mapCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) { updateHeatmaps(); });
    connect(sharedScale_, &QCheckBox::toggled, this, [this](bool) { applySharedScale(); });
    connect(symLog_, &QCheckBox::toggled, this, [this](bool) { applySharedScale(); });
    updateSliderLabels();
}

QVector<qint64> CompareView::runIds() const {
    QVector<qint64> ids;
    for (const RunSource& s : compared_) ids.push_back(s.runId);
    return ids;
}

QVector<HeatmapWidget*> CompareView::heatmaps() const {
    QVector<HeatmapWidget*> out;
    for (const Panel* p : panels_) out.push_back(p->heatmap);
    return out;
}

QVector<std::shared_ptr<const InspectionResult>> CompareView::results() const {
    QVector<std::shared_ptr<const InspectionResult>> out;
    for (const Panel* p : panels_) out.push_back(p->result);
    return out;
}

Normalisation CompareView::bucketNorm() const { return Normalisation(normCombo_->currentData().toInt()); }

void CompareView::refresh() {
    QVector<qint64> checked = runIds();
    sources_.clear();
    if (!paths_.dbPath.isEmpty() && QFileInfo::exists(paths_.dbPath)) {
        try {
            const RunStore store = RunStore::open(paths_.dbPath.toStdString(), /*readOnly=*/true);
            for (const RunRecord& r : store.runs()) {
                try {
                    sources_.push_back(readRunSource(store, r.id, paths_));
                } catch (const std::exception&) {
                }
            }
        } catch (const std::exception& e) {
            Q_EMIT statusMessage(tr("Cannot read the run store: %1").arg(QString::fromUtf8(e.what())), 6000);
        }
    }
    // Groups, the newest first.
    {
        const QSignalBlocker block(groupCombo_);
        groupCombo_->clear();
        QStringList seen;
        for (const RunSource& s : sources_)
            if (!s.group.isEmpty() && !seen.contains(s.group)) {
                seen << s.group;
                int n = 0;
                for (const RunSource& t : sources_) n += t.group == s.group ? 1 : 0;
                groupCombo_->addItem(tr("%1 (%2 runs)").arg(s.group).arg(n), s.group);
            }
    }
    checked.erase(std::remove_if(checked.begin(), checked.end(),
                                 [this](qint64 id) {
                                     return std::none_of(sources_.begin(), sources_.end(),
                                                         [id](const RunSource& s) { return s.runId == id; });
                                 }),
                  checked.end());
    if (checked.size() < 2 && groupCombo_->count() > 0) {
        // The latest paired experiment: the newest group with two or more runs (else the newest group).
        int pick = 0;
        for (int i = groupCombo_->count() - 1; i >= 0; --i) {
            const QString group = groupCombo_->itemData(i).toString();
            const auto n = std::count_if(sources_.begin(), sources_.end(), [&](const RunSource& s) { return s.group == group; });
            if (n >= 2) pick = i;
        }
        const QString group = groupCombo_->itemData(pick).toString();
        checked.clear();
        for (const RunSource& s : sources_)
            if (s.group == group) checked.push_back(s.runId);
        std::sort(checked.begin(), checked.end());
        const QSignalBlocker block(groupCombo_);
        groupCombo_->setCurrentIndex(pick);
    }
    fillRunList(checked);
    rebuild();
}

void CompareView::compareRuns(QVector<qint64> ids) {
    bool known = true;
    for (qint64 id : ids)
        known = known && std::any_of(sources_.begin(), sources_.end(), [id](const RunSource& s) { return s.runId == id; });
    if (!known) {
        const QSignalBlocker block(runList_);
        runList_->clear();
        compared_.clear();
        refresh();
    }
    fillRunList(ids);
    rebuild();
}

void CompareView::fillRunList(const QVector<qint64>& checked) {
    const QSignalBlocker block(runList_);
    runList_->clear();
    for (const RunSource& s : sources_) {
        QString text = s.label();
        if (!s.group.isEmpty() && !s.name.contains(s.group)) text += QStringLiteral(" · %1").arg(s.group);
        auto* item = new QListWidgetItem(text, runList_);
        item->setData(Qt::UserRole, s.runId);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(s.runId) ? Qt::Checked : Qt::Unchecked);
    }
}

void CompareView::rebuild() {
    const QVector<qint64> before = runIds();
    compared_.clear();
    for (int i = 0; i < runList_->count(); ++i) {
        const QListWidgetItem* item = runList_->item(i);
        if (item->checkState() != Qt::Checked) continue;
        const qint64 id = item->data(Qt::UserRole).toLongLong();
        for (const RunSource& s : sources_)
            if (s.runId == id) compared_.push_back(s);
    }
    // In creation order (a paired experiment reads standard, then DIFF), whatever the list's order.
    std::sort(compared_.begin(), compared_.end(), [](const RunSource& a, const RunSource& b) { return a.runId < b.runId; });
    // Colour the list like the charts.
    {
        const QSignalBlocker block(runList_);
        for (int i = 0; i < runList_->count(); ++i) {
            QListWidgetItem* item = runList_->item(i);
            const qint64 id = item->data(Qt::UserRole).toLongLong();
            int at = -1;
            for (int k = 0; k < compared_.size(); ++k)
                if (compared_[k].runId == id) at = k;
            item->setForeground(at >= 0 ? QBrush(runColor(at)) : palette().brush(QPalette::Text));
        }
    }
    if (runIds() != before) contextKnown_ = false;  // other models: other context limits
    updateConfigDiff();
    updateLossCurves();
    loadProbes();
    updateDepthCurves();
    // The heatmaps only when the models behind them changed (a refresh during training keeps them).
    QVector<QPair<qint64, qint64>> models;
    for (const RunSource& s : compared_) models.push_back({s.runId, s.steps.isEmpty() ? -1 : s.steps.back()});
    if (models != panelModels_ || panels_.isEmpty()) {
        panelModels_ = models;
        rebuildPanels();
    }
}

void CompareView::updateConfigDiff() {
    QStringList names;
    QVector<QJsonObject> configs;
    if (compared_.size() >= 1 && QFileInfo::exists(paths_.dbPath)) {
        try {
            const RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
            for (const RunSource& s : compared_) {
                names << shortName(s);
                configs << configOf(store, s.runId);
            }
        } catch (const std::exception& e) {
            Q_EMIT statusMessage(QString::fromUtf8(e.what()), 6000);
        }
    }
    diffTable_->setConfigs(names, configs);
    if (compared_.size() < 2)
        diffSummary_->setText(tr("Check two or more runs to see how their configurations differ."));
    else if (diffTable_->differenceCount() == 0)
        diffSummary_->setText(tr("The configurations are identical (names, groups and paths ignored)."));
    else
        diffSummary_->setText(tr("%n key(s) differ (names, groups and paths ignored).", nullptr,
                                 diffTable_->differenceCount()));
}

void CompareView::updateLossCurves() {
    lossChart_->clear();
    if (compared_.isEmpty() || !QFileInfo::exists(paths_.dbPath)) return;
    try {
        const RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
        for (int i = 0; i < compared_.size(); ++i) {
            const RunSource& s = compared_[i];
            for (const auto& [metric, suffix, style] :
                 {std::tuple{"train_loss", " · train", Qt::SolidLine}, std::tuple{"val_loss", " · val", Qt::DashLine}}) {
                QVector<LossSample> samples;
                for (const MetricPoint& p : store.metrics(s.runId, metric))
                    samples.push_back({double(p.step), double(p.tokens), p.value});
                if (samples.isEmpty()) continue;
                const QString name = shortName(s) + QString::fromUtf8(suffix);
                lossChart_->setSeriesStyle(name, runColor(i), style);
                lossChart_->appendSamples(name, samples);
            }
        }
    } catch (const std::exception& e) {
        Q_EMIT statusMessage(QString::fromUtf8(e.what()), 6000);
    }
    lossChart_->refreshNow();
}

void CompareView::loadProbes() {
    probeRows_.clear();
    std::set<qint64> steps;
    if (!compared_.isEmpty() && QFileInfo::exists(paths_.dbPath)) {
        try {
            const RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
            for (const RunSource& s : compared_) {
                auto rows = store.probeRows(s.runId);
                for (const ProbeRow& r : rows) steps.insert(r.step);
                probeRows_[s.runId] = std::move(rows);
            }
        } catch (const std::exception& e) {
            Q_EMIT statusMessage(QString::fromUtf8(e.what()), 6000);
        }
    }
    const qint64 previous = stepSlider_->value() < probeSteps_.size() ? probeSteps_[stepSlider_->value()] : -1;
    probeSteps_ = QVector<qint64>(steps.begin(), steps.end());
    const QSignalBlocker block(stepSlider_);
    stepSlider_->setRange(0, std::max(0, int(probeSteps_.size()) - 1));
    const int at = int(probeSteps_.indexOf(previous));
    stepSlider_->setValue(at >= 0 ? at : stepSlider_->maximum());  // the latest probe by default
    stepSlider_->setEnabled(probeSteps_.size() > 1);
}

void CompareView::updateDepthCurves() {
    if (probeSteps_.isEmpty()) {
        depthChart_->clear();
        depthChart_->setTitle(QString());
        probeInfo_->setText(compared_.isEmpty() ? QString()
                                                : tr("No stored needle probes for these runs (set probe_every when "
                                                     "training, or run `needlescope-cli probe`)."));
        stepLabel_->setText(tr("—"));
        return;
    }
    const int index = std::clamp(stepSlider_->value(), 0, int(probeSteps_.size()) - 1);
    const qint64 step = probeSteps_[index];
    stepLabel_->setText(tr("step %1 (%2 of %3)").arg(step).arg(index + 1).arg(probeSteps_.size()));
    QVector<DepthSeries> series;
    QStringList accuracy;
    qint64 context = 0;
    for (int i = 0; i < compared_.size(); ++i) {
        const RunSource& s = compared_[i];
        const auto it = probeRows_.find(s.runId);
        if (it == probeRows_.end() || it->second.empty()) continue;
        // The probe at this step, or the run's latest one before it.
        std::optional<int64_t> at;
        for (const ProbeRow& r : it->second)
            if (r.step <= step && (!at || r.step > *at)) at = r.step;
        if (!at) continue;
        const std::optional<ProbeCurve> curve = probeCurve(it->second, at, bucketNorm());
        if (!curve) continue;
        DepthSeries d;
        d.name = shortName(s) + (*at != step ? tr(" (step %1)").arg(*at) : QString());
        d.color = runColor(i);
        double hits = 0;
        for (const DepthPoint& p : curve->points) {
            d.depths << p.depth;
            d.answerMean << p.answerMean;
            d.answerStd << p.answerStd;
            d.noiseMean << p.noiseMean;
            d.noiseStd << p.noiseStd;
            hits += p.accuracy;
        }
        context = curve->contextLength;
        if (!curve->points.empty())
            accuracy << tr("%1 %2 %").arg(shortName(s)).arg(100.0 * hits / double(curve->points.size()), 0, 'f', 0);
        series.push_back(d);
    }
    depthChart_->setSeries(series);
    depthChart_->setTitle(tr("Last token's attention to the answer and to the noise vs needle depth · step %1").arg(step));
    probeInfo_->setText(tr("Stored probe: context %1 tokens · %2 buckets · mean ± std over samples · retrieval "
                           "(mean over depths): %3")
                            .arg(context)
                            .arg(normCombo_->currentText())
                            .arg(accuracy.join(QStringLiteral(", "))));
}

void CompareView::rebuildPanels() {
    qDeleteAll(panels_);  // Panel does not own its widgets …
    panels_.clear();
    auto* layout = static_cast<QHBoxLayout*>(panelArea_->layout());
    while (QLayoutItem* item = layout->takeAt(0)) {  // … the area does
        delete item->widget();
        delete item;
    }
    int maxContext = 0;
    for (const RunSource& s : compared_) {
        if (s.steps.isEmpty() || panels_.size() >= kMaxPanels) continue;
        auto* panel = new Panel;
        panel->source = s;
        panel->box = new QGroupBox(tr("%1 · step %2").arg(s.label()).arg(s.steps.back()), panelArea_);
        auto* v = new QVBoxLayout(panel->box);
        v->setContentsMargins(4, 4, 4, 4);
        panel->info = new QLabel(panel->box);
        panel->info->setWordWrap(true);
        panel->info->setTextFormat(Qt::RichText);
        v->addWidget(panel->info);
        panel->heatmap = new HeatmapWidget(panel->box);
        v->addWidget(panel->heatmap, 1);
        layout->addWidget(panel->box, 1);
        panels_.push_back(panel);
        maxContext = maxContext == 0 ? s.maxContext : std::min(maxContext, s.maxContext);
    }
    if (panels_.isEmpty()) {
        auto* label = new QLabel(compared_.isEmpty() ? tr("Check runs on the left to compare their attention.")
                                                     : tr("None of the checked runs has a checkpoint yet."),
                                 panelArea_);
        label->setAlignment(Qt::AlignCenter);
        layout->addWidget(label);
        return;
    }
    if (!contextKnown_) {
        const QSignalBlocker block(contextSlider_);
        const int maxPrompt = std::max(16, maxContext - 8);
        contextSlider_->setRange(std::min(32, maxPrompt), maxPrompt);
        contextSlider_->setValue(std::min(maxPrompt, kDefaultContext));
    }
    updateSliderLabels();
    scheduleAttention();
}

void CompareView::scheduleAttention() {
    if (!panels_.isEmpty()) attentionTimer_->start();
}

void CompareView::sendAttention() {
    std::vector<InspectionRequest> requests;
    sentRuns_.clear();
    for (const Panel* p : panels_) sentRuns_.push_back(p->source.runId);
    for (const Panel* p : panels_) {
        InspectionRequest r = requestFor(p->source, int(p->source.steps.size()) - 1);
        r.depth = depthSlider_->value();
        r.contextLength = contextSlider_->value();
        if (customNeedle_) r.needle = needleEdit_->text().toStdString();
        if (customQuestion_) r.question = questionEdit_->text().toStdString();
        requests.push_back(r);
    }
    if (requests.empty()) return;
    attentionStatus_->setText(tr("computing…"));
    sentId_ = worker_->request(requests);
}

void CompareView::onFinished(const InspectOutcome& outcome) {
    // Only the job sent for the panels shown now (a run change makes earlier jobs meaningless).
    QVector<qint64> shown;
    for (const Panel* p : panels_) shown.push_back(p->source.runId);
    if (outcome.id != sentId_ || shown != sentRuns_) return;
    attentionStatus_->setText(tr("%1 ms").arg(outcome.milliseconds, 0, 'f', 0));
    int64_t maxPrompt = 0, minPrompt = 0, layers = 0, heads = 0;
    for (int i = 0; i < panels_.size() && i < outcome.entries.size(); ++i) {
        Panel* p = panels_[i];
        p->result = outcome.entries[i].result;
        p->error = outcome.entries[i].error;
        if (!p->result) continue;
        const InspectionResult& r = *p->result;
        maxPrompt = maxPrompt == 0 ? r.maxPromptLength : std::min(maxPrompt, r.maxPromptLength);
        minPrompt = std::max(minPrompt, r.minPromptLength);
        layers = std::max(layers, r.layers);
        heads = std::max(heads, r.heads);
        if (!customNeedle_) {
            const QSignalBlocker block(needleEdit_);
            needleEdit_->setText(QString::fromStdString(r.needleText));
            needleEdit_->setCursorPosition(0);
        }
        if (!customQuestion_) {
            const QSignalBlocker block(questionEdit_);
            questionEdit_->setText(QString::fromStdString(r.questionText));
            questionEdit_->setCursorPosition(0);
        }
    }
    if (maxPrompt > 0) {
        const QSignalBlocker block(contextSlider_);
        contextSlider_->setRange(int(std::min(maxPrompt, minPrompt + 8)), int(maxPrompt));
        contextKnown_ = true;
    }
    if (layers > 0) {
        const bool first = layerSpin_->maximum() == 0 && headSpin_->maximum() == 0;
        const QSignalBlocker b1(layerSpin_), b2(headSpin_);
        layerSpin_->setRange(0, int(layers) - 1);
        headSpin_->setRange(0, int(heads) - 1);
        if (first) layerSpin_->setValue(int(layers) - 1);
    }
    updateSliderLabels();
    updateHeatmaps();
}

void CompareView::updateHeatmaps() {
    const MapKind wanted = MapKind(mapCombo_->currentData().toInt());
    for (Panel* p : panels_) {
        if (!p->result) {
            p->heatmap->clear();
            p->info->setText(p->error.isEmpty() ? tr("…")
                                                : QStringLiteral("<span style='color:#b00020'>%1</span>")
                                                      .arg(p->error.toHtmlEscaped()));
            continue;
        }
        const InspectionResult& r = *p->result;
        const int layer = std::min(layerSpin_->value(), int(r.layers) - 1);
        const int head = std::min(headSpin_->value(), int(r.heads) - 1);
        const MapKind kind = r.diff ? wanted : MapKind::Effective;
        const float* data = r.map(kind, layer, head);
        if (!data) {
            p->heatmap->clear();
            continue;
        }
        p->heatmap->setMatrix(int(r.rows), int(r.cols), std::vector<float>(data, data + r.rows * r.cols));
        QStringList rowLabels, colLabels;
        for (int64_t pos : r.rowPositions) rowLabels << QString::fromStdString(r.pieces[size_t(pos)]);
        for (const std::string& s : r.pieces) colLabels << QString::fromStdString(s);
        p->heatmap->setRowLabels(rowLabels);
        p->heatmap->setColumnLabels(colLabels);
        p->heatmap->setColumnSpans(spansOf(r));
        p->heatmap->setHighlightedRow(int(r.queryRowIndex));
        const bool signedMap = r.diff && kind == MapKind::Effective;
        p->heatmap->setColorBarTitle(signedMap ? tr("A1 − λ·A2") : r.diff ? (kind == MapKind::A1 ? tr("A1") : tr("A2"))
                                                                          : tr("attention"));
        p->heatmap->setProperty("signedMap", signedMap);
        const bool clamped = layer != layerSpin_->value() || head != headSpin_->value();
        p->heatmap->setTitle(tr("layer %1 · head %2%3").arg(layer).arg(head).arg(clamped ? tr(" (nearest that exists)")
                                                                                          : QString()));
        const RowBuckets& b = r.buckets(layer, head);
        QString info = tr("answer %1 · noise %2 (signed; this head) · mean answer %3 · ")
                           .arg(formatValue(b.signedNorm.answer), formatValue(b.signedNorm.noise),
                                formatValue(r.mean.signedNorm.answer));
        if (r.diff && size_t(layer) < r.lambdas.size()) info += tr("λ = %1 · ").arg(formatValue(r.lambdas[size_t(layer)]));
        const QString greedy = QString::fromStdString(r.greedyText).trimmed().toHtmlEscaped();
        info += r.hit ? tr("greedy <b>%1</b> <span style='color:#007a33'>✓</span>").arg(greedy)
                      : tr("greedy <b>%1</b> <span style='color:#b00020'>✗</span>").arg(greedy.isEmpty() ? QStringLiteral("∅")
                                                                                                          : greedy);
        p->info->setText(info);
    }
    applySharedScale();
}

void CompareView::applySharedScale() {
    const auto applySymLog = [this] {
        for (Panel* p : panels_) {
            const ColorScale scale = p->heatmap->colorScale();
            const float maxAbs = std::max(std::fabs(scale.minimum()), std::fabs(scale.maximum()));
            p->heatmap->setSymLog(symLog_->isChecked() && maxAbs > 0 ? 0.01f * maxAbs : 0.0f);
        }
    };
    if (!sharedScale_->isChecked()) {
        for (Panel* p : panels_) {
            p->heatmap->clearFixedRange();
            p->heatmap->setScaleMode(p->heatmap->property("signedMap").toBool() ? ColorScale::Mode::Diverging
                                                                               : ColorScale::Mode::Sequential);
        }
        applySymLog();
        return;
    }
    float lo = 0, hi = 0;
    bool anySigned = false;
    for (const Panel* p : panels_) {
        if (p->heatmap->rows() == 0) continue;
        const auto range = p->heatmap->dataRange();
        lo = std::min(lo, range.first);
        hi = std::max(hi, range.second);
        anySigned = anySigned || p->heatmap->property("signedMap").toBool() || range.first < 0;
    }
    if (hi <= lo) hi = lo + 1;
    for (Panel* p : panels_) {
        // A signed map on either side puts both on the diverging scale, so equal colours mean equal values.
        p->heatmap->setScaleMode(anySigned ? ColorScale::Mode::Diverging : ColorScale::Mode::Sequential);
        p->heatmap->setFixedRange(lo, hi);
    }
    applySymLog();
}

void CompareView::updateSliderLabels() {
    depthLabel_->setText(tr("%1 %").arg(depthSlider_->value()));
    contextLabel_->setText(tr("%1 tokens").arg(contextSlider_->value()));
}

}  // namespace needlescope
