#include "ui/views/CompareView.h"

#include <QComboBox>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QVariant>
#include <algorithm>

#include "core/store/RunStore.h"
#include "ui/views/CompareAttentionTab.h"
#include "ui/views/CompareCurvesTab.h"
#include "ui/views/CompareExport.h"
#include "ui/views/CompareRunStyle.h"
#include "ui/views/CompareStatsTab.h"
#include "ui/views/ProbeNowBar.h"
#include "ui/views/RunSources.h"
#include "ui/widgets/ConfigDiffTable.h"
#include "ui/widgets/NeedleControls.h"

namespace needlescope {
namespace {

QJsonObject configOf(const RunStore& store, qint64 runId) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(store.run(runId).configJson)).object();
}

}  // namespace

CompareView::CompareView(const needlescope::app::AppPaths& paths, QWidget* parent)
    : QWidget(parent), paths_(paths) {
    rebuildTimer_ = new QTimer(this);
    rebuildTimer_->setSingleShot(true);
    rebuildTimer_->setInterval(0);
    connect(rebuildTimer_, &QTimer::timeout, this, &CompareView::rebuild);
    buildUi();
    refresh();
}

CompareView::~CompareView() = default;

QStringList CompareView::ignoredConfigKeys() {
    return {QStringLiteral("name"),       QStringLiteral("group"),
            QStringLiteral("train.name"), QStringLiteral("tokenizer_model"),
            QStringLiteral("data.root"),  QStringLiteral("paths"),
            QStringLiteral("output_dir"), QStringLiteral("checkpoint_dir")};
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
    groupCombo_->setToolTip(tr("Check every run of a study (all its seeds) or of one paired experiment"));
    groupRow->addWidget(groupCombo_, 1);
    leftLayout->addLayout(groupRow);
    runList_ = new QListWidget(left);
    runList_->setToolTip(tr("Check two or more runs to compare"));
    leftLayout->addWidget(runList_, 2);
    // "Probe now": the depth figure for runs trained without probing.
    probeButton_ = new QPushButton(tr("Probe now"), left);
    probeButton_->setObjectName(QStringLiteral("probeNowButton"));
    probeButton_->setToolTip(tr("Run the needle probe of the checked runs at their latest checkpoint"));
    probeBar_ = new ProbeNowBar(paths_, left);
    leftLayout->addWidget(probeButton_, 0, Qt::AlignLeft);
    leftLayout->addWidget(probeBar_);
    connect(probeButton_, &QPushButton::clicked, this, &CompareView::probeNow);
    connect(probeBar_, &ProbeNowBar::statusMessage, this, &CompareView::statusMessage);
    connect(probeBar_, &ProbeNowBar::busyChanged, probeButton_, &QWidget::setDisabled);
    connect(probeBar_, &ProbeNowBar::probeStored, this, &CompareView::refresh);
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
    curves_ = new CompareCurvesTab(paths_, tabs_);
    connect(curves_, &CompareCurvesTab::statusMessage, this, &CompareView::statusMessage);
    tabs_->addTab(curves_, tr("Curves and probes"));
    attention_ = new CompareAttentionTab(tabs_);
    tabs_->addTab(attention_, tr("Attention side by side"));
    stats_ = new CompareStatsTab(paths_, tabs_);
    tabs_->addTab(stats_, tr("Statistics"));

    splitter->addWidget(tabs_);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({330, 930});

    // Wiring.
    connect(groupCombo_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        fillRunList(pickerRuns(index));
        rebuildTimer_->start();
    });
    connect(runList_, &QListWidget::itemChanged, this, [this](QListWidgetItem*) { rebuildTimer_->start(); });
}

LossChartWidget* CompareView::lossChart() const { return curves_->lossChart(); }
DepthCurveChart* CompareView::depthChart() const { return curves_->depthChart(); }
QSlider* CompareView::stepSlider() const { return curves_->stepSlider(); }
QVector<qint64> CompareView::probeSteps() const { return curves_->probeSteps(); }
QSlider* CompareView::depthSlider() const { return attention_->needleControls()->depthSlider(); }
QSlider* CompareView::contextSlider() const { return attention_->needleControls()->contextSlider(); }
QSpinBox* CompareView::layerSpin() const { return attention_->layerSpin(); }
QSpinBox* CompareView::headSpin() const { return attention_->headSpin(); }
QCheckBox* CompareView::sharedScaleBox() const { return attention_->sharedScaleBox(); }
QCheckBox* CompareView::symLogBox() const { return attention_->symLogBox(); }
QVector<HeatmapWidget*> CompareView::heatmaps() const { return attention_->heatmaps(); }
QVector<HeadGridWidget*> CompareView::headGrids() const { return attention_->headGrids(); }
InspectWorker* CompareView::worker() const { return attention_->worker(); }
QVector<std::shared_ptr<const InspectionResult>> CompareView::results() const {
    return attention_->results();
}

QVector<qint64> CompareView::runIds() const {
    QVector<qint64> ids;
    for (const RunSource& s : compared_) ids.push_back(s.runId);
    return ids;
}

void CompareView::refresh() {
    QVector<qint64> checked = runIds();
    QString problem;
    sources_ = readRunSources(paths_, &problem);
    if (!problem.isEmpty()) Q_EMIT statusMessage(problem, 6000);
    // Studies, then groups, the newest first of each.
    {
        const QSignalBlocker block(groupCombo_);
        groupCombo_->clear();
        for (const bool study : {true, false}) {
            QStringList seen;
            for (const RunSource& s : sources_) {
                const QString key = study ? s.study : s.group;
                if (key.isEmpty() || seen.contains(key)) continue;
                seen << key;
                groupCombo_->addItem(QString(), QVariantList{study, key});
                const auto n = pickerRuns(groupCombo_->count() - 1).size();
                groupCombo_->setItemText(
                    groupCombo_->count() - 1,
                    study ? tr("study %1 (%2 runs)").arg(key).arg(n) : tr("%1 (%2 runs)").arg(key).arg(n));
            }
        }
    }
    checked.erase(std::remove_if(checked.begin(), checked.end(),
                                 [this](qint64 id) {
                                     return std::none_of(sources_.begin(), sources_.end(),
                                                         [id](const RunSource& s) { return s.runId == id; });
                                 }),
                  checked.end());
    if (checked.size() < 2 && groupCombo_->count() > 0) {
        // The latest study, else the latest paired experiment: the first entry with two or more runs (else
        // the first).
        int pick = 0;
        for (int i = groupCombo_->count() - 1; i >= 0; --i)
            if (pickerRuns(i).size() >= 2) pick = i;
        checked = pickerRuns(pick);
        const QSignalBlocker block(groupCombo_);
        groupCombo_->setCurrentIndex(pick);
    }
    fillRunList(checked);
    rebuild();
}

void CompareView::compareRuns(QVector<qint64> ids) {
    bool known = true;
    for (qint64 id : ids)
        known = known && std::any_of(sources_.begin(), sources_.end(),
                                     [id](const RunSource& s) { return s.runId == id; });
    if (!known) {
        const QSignalBlocker block(runList_);
        runList_->clear();
        compared_.clear();
        refresh();
    }
    fillRunList(ids);
    rebuild();
}

// The runs of the picker's entry `index`: a study's (every seed) or a group's, in creation order.
QVector<qint64> CompareView::pickerRuns(int index) const {
    const QVariantList entry = groupCombo_->itemData(index).toList();
    QVector<qint64> ids;
    if (entry.size() != 2) return ids;
    const bool study = entry[0].toBool();
    const QString key = entry[1].toString();
    for (const RunSource& s : sources_)
        if ((study ? s.study : s.group) == key) ids.push_back(s.runId);
    std::sort(ids.begin(), ids.end());
    return ids;
}

void CompareView::probeNow() { probeBar_->probeRuns(runIds(), tr("the compared runs")); }

void CompareView::exportCompared() {
    if (compared_.isEmpty()) {
        Q_EMIT statusMessage(tr("Check the runs to export in the Compare view's list first"), 5000);
        return;
    }
    const QString path = askComparedExportPath(this, compared_);
    if (path.isEmpty()) return;
    QString error;
    if (exportComparedTo(path, &error))
        Q_EMIT statusMessage(
            tr("Exported %n compared run(s) to %1", nullptr, int(compared_.size())).arg(path), 5000);
    else
        QMessageBox::warning(this, tr("Export"), error);
}

bool CompareView::exportComparedTo(const QString& path, QString* error) {
    return exportComparedRuns(paths_, compared_, *curves_->lossChart(), path, error);
}

void CompareView::fillRunList(const QVector<qint64>& checked) {
    const QSignalBlocker block(runList_);
    runList_->clear();
    for (const RunSource& s : sources_) {
        auto* item = new QListWidgetItem(runListText(s), runList_);
        item->setData(Qt::UserRole, s.runId);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(s.runId) ? Qt::Checked : Qt::Unchecked);
    }
}

void CompareView::rebuild() {
    compared_.clear();
    for (int i = 0; i < runList_->count(); ++i) {
        const QListWidgetItem* item = runList_->item(i);
        if (item->checkState() != Qt::Checked) continue;
        const qint64 id = item->data(Qt::UserRole).toLongLong();
        for (const RunSource& s : sources_)
            if (s.runId == id) compared_.push_back(s);
    }
    // In creation order (a paired experiment reads standard, then DIFF), whatever the list's order.
    std::sort(compared_.begin(), compared_.end(),
              [](const RunSource& a, const RunSource& b) { return a.runId < b.runId; });
    // Colour the list like the charts.
    {
        const QSignalBlocker block(runList_);
        for (int i = 0; i < runList_->count(); ++i) {
            QListWidgetItem* item = runList_->item(i);
            const qint64 id = item->data(Qt::UserRole).toLongLong();
            int at = -1;
            for (int k = 0; k < compared_.size(); ++k)
                if (compared_[k].runId == id) at = k;
            item->setForeground(at >= 0 ? QBrush(runColor(compared_, at)) : palette().brush(QPalette::Text));
        }
    }
    updateConfigDiff();
    curves_->showRuns(compared_);
    attention_->showRuns(compared_);
    stats_->showRuns(compared_);
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

}  // namespace needlescope
