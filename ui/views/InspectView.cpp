#include "ui/views/InspectView.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <tuple>

#include "ui/style/Palette.h"
#include "ui/views/AttentionDisplay.h"
#include "ui/views/InspectHeadPanel.h"
#include "ui/views/InspectOverviewPanel.h"
#include "ui/views/InspectReadouts.h"
#include "ui/views/InspectTopBar.h"
#include "ui/views/RunSources.h"
#include "ui/widgets/BucketsCombo.h"
#include "ui/widgets/HeadGridWidget.h"
#include "ui/widgets/HeatmapWidget.h"
#include "ui/widgets/NeedleControls.h"
#include "ui/widgets/TokenStripWidget.h"

namespace needlescope {
InspectView::InspectView(const needlescope::app::AppPaths& paths, QWidget* parent)
    : QWidget(parent), paths_(paths) {
    worker_ = new InspectWorker(this);
    coalesce_ = new QTimer(this);
    coalesce_->setSingleShot(true);
    coalesce_->setInterval(15);
    connect(coalesce_, &QTimer::timeout, this, &InspectView::sendRequest);
    connect(worker_, &InspectWorker::finished, this, &InspectView::onFinished);
    buildUi();
    connect(worker_, &InspectWorker::busyChanged, busyLabel_,
            [this](bool busy) { busyLabel_->setText(busy ? QStringLiteral("computing…") : QString()); });
    refresh();
}

InspectView::~InspectView() = default;

void InspectView::buildUi() {
    auto* root = new QVBoxLayout(this);
    root->setContentsMargins(6, 6, 6, 6);
    root->setSpacing(4);

    // Row 1: run, checkpoint, map kind, bucket normalisation, rows.
    const InspectTopBar bar = buildInspectTopBar(this);
    runCombo_ = bar.run;
    checkpointCombo_ = bar.checkpoint;
    mapGroup_ = bar.mapGroup;
    for (int i = 0; i < 3; ++i) mapButtons_[i] = bar.mapButtons[i];
    normCombo_ = bar.norm;
    allRowsBox_ = bar.allRows;
    symLogBox_ = bar.symLog;
    connect(mapGroup_, &QButtonGroup::idClicked, this, [this](int id) { setMapKind(MapKind(id)); });
    root->addLayout(bar.layout);

    // Rows 2 and 3: the needle placement.
    controls_ = new NeedleControls(NeedleControls::Extras::SampleAndNeedles, this);
    root->addWidget(controls_);

    errorLabel_ = new QLabel(this);
    errorLabel_->setStyleSheet(textColorStyle(errorColor()));
    errorLabel_->setWordWrap(true);
    errorLabel_->hide();
    root->addWidget(errorLabel_);

    // Main area: empty message or the results.
    stack_ = new QStackedWidget(this);
    emptyLabel_ = new QLabel(stack_);
    emptyLabel_->setAlignment(Qt::AlignCenter);
    emptyLabel_->setWordWrap(true);
    stack_->addWidget(emptyLabel_);

    auto* content = new QWidget(stack_);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->setSpacing(4);
    auto* splitter = new QSplitter(Qt::Horizontal, content);

    overview_ = new InspectOverviewPanel(splitter);
    splitter->addWidget(overview_);
    headPanel_ = new InspectHeadPanel(splitter);
    splitter->addWidget(headPanel_);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({380, 880});
    contentLayout->addWidget(splitter, 1);

    tokenStrip_ = new TokenStripWidget(content);
    contentLayout->addWidget(tokenStrip_);
    lambdaStrip_ = new TokenStripWidget(content);  // DIFF V2 only: λ_t of the selected head per token
    lambdaStrip_->setObjectName(QStringLiteral("lambdaStrip"));
    lambdaStrip_->setWeightName(tr("λ per token, scale 0–1"));
    lambdaStrip_->setToolTip(
        tr("DIFF V2: λ_t = sigmoid(x_t·W_λ) of the selected layer and head; the row of "
           "token t sums to 1 − λ_t"));
    lambdaStrip_->hide();
    contentLayout->addWidget(lambdaStrip_);
    // The two strips scroll together, token under token.
    connect(tokenStrip_->horizontalScrollBar(), &QScrollBar::valueChanged,
            lambdaStrip_->horizontalScrollBar(), &QScrollBar::setValue);
    connect(lambdaStrip_->horizontalScrollBar(), &QScrollBar::valueChanged,
            tokenStrip_->horizontalScrollBar(), &QScrollBar::setValue);
    stack_->addWidget(content);
    root->addWidget(stack_, 1);

    auto* bottom = new QHBoxLayout;
    placementLabel_ = new QLabel(this);
    placementLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bottom->addWidget(placementLabel_, 1);
    busyLabel_ = new QLabel(this);
    bottom->addWidget(busyLabel_);
    root->addLayout(bottom);

    // Wiring.
    connect(runCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) { loadRun(); });
    connect(checkpointCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int) { schedule(); });
    // A checkpoint the user chose stays chosen when new ones arrive; otherwise the newest is shown.
    connect(checkpointCombo_, qOverload<int>(&QComboBox::activated), this,
            [this](int index) { userCheckpoint_ = index != checkpointCombo_->count() - 1; });
    connect(runCombo_, qOverload<int>(&QComboBox::activated), this, [this](int) { userRun_ = true; });
    connect(controls_, &NeedleControls::requestChanged, this, &InspectView::schedule);
    connect(allRowsBox_, &QCheckBox::toggled, this, [this](bool) { schedule(); });
    connect(symLogBox_, &QCheckBox::toggled, this, [this](bool) {
        updateHeatmap();
        updateStrip();
    });
    connect(normCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) {
        updateHeadGrid();
        updateBars();
    });
    connect(overview_->mapsBox(), &QCheckBox::toggled, this, [this](bool) { updateHeadGrid(); });
    connect(headGrid(), &HeadGridWidget::headSelected, this, [this](int layer, int head) {
        if (layer < 0) return;
        layer_ = layer;
        head_ = head;
        updateHeatmap();
        updateStrip();
        updateBars();
        updateLabels();
    });
    connect(heatmap(), &HeatmapWidget::cellClicked, this, [this](int row, int) {
        if (!result_ || row < 0 || row >= result_->rows) return;
        rowPosition_ = result_->rowPositions[size_t(row)];
        heatmap()->setHighlightedRow(row);
        updateStrip();
    });
    connect(tokenStrip_, &TokenStripWidget::tokenClicked, this, [this](int index) {
        if (!result_) return;
        const int64_t row = result_->rowIndexOf(index);
        if (row < 0) return;
        rowPosition_ = index;
        heatmap()->setHighlightedRow(int(row));
        updateStrip();
    });
}

qint64 InspectView::currentRunId() const {
    return runCombo_->currentIndex() >= 0 ? runCombo_->currentData().toLongLong() : 0;
}

HeatmapWidget* InspectView::heatmap() const { return headPanel_->heatmap(); }
HeadGridWidget* InspectView::headGrid() const { return overview_->headGrid(); }
BucketBarsWidget* InspectView::bucketBars() const { return overview_->bucketBars(); }
QSlider* InspectView::depthSlider() const { return controls_->depthSlider(); }
QSlider* InspectView::contextSlider() const { return controls_->contextSlider(); }
QLineEdit* InspectView::needleEdit() const { return controls_->needleEdit(); }
QLineEdit* InspectView::questionEdit() const { return controls_->questionEdit(); }

QWidget* InspectView::emptyPage() const { return stack_->currentIndex() == 0 ? emptyLabel_ : nullptr; }
QString InspectView::emptyText() const { return emptyLabel_->text(); }

QString InspectView::errorText() const { return errorLabel_->isVisible() ? errorLabel_->text() : QString(); }

Normalisation InspectView::bucketNorm() const { return bucketsComboValue(normCombo_); }

void InspectView::refresh() {
    const qint64 previous = currentRunId();
    QString problem;
    runs_ = readRunSources(paths_, &problem);
    if (paths_.dbPath.isEmpty() || !QFileInfo::exists(paths_.dbPath))
        problem = tr("No run store yet. Train a paired experiment in the Train view, then inspect it here.");
    else if (problem.isEmpty() && runs_.isEmpty())
        problem = tr("No runs yet. Train a paired experiment in the Train view, then inspect it here.");
    {
        const QSignalBlocker block(runCombo_);
        fillRunPicker(runCombo_, runs_, tooShort_);
        int index = runCombo_->findData(previous);
        if (index < 0 || (!userRun_ && !inspectable(runs_[index]))) index = newestInspectable();
        runCombo_->setCurrentIndex(index);
    }
    if (!problem.isEmpty()) {
        emptyLabel_->setText(problem);
        stack_->setCurrentIndex(0);
        haveSource_ = false;
        result_.reset();
        return;
    }
    loadRun();
}

bool InspectView::inspectable(const RunSource& source) const { return isInspectable(source, tooShort_); }

int InspectView::newestInspectable() const { return needlescope::newestInspectable(runs_, tooShort_); }

void InspectView::showRun(qint64 runId) {
    userRun_ = true;
    int index = runCombo_->findData(runId);
    if (index < 0) {
        refresh();
        index = runCombo_->findData(runId);
    }
    if (index < 0) {
        Q_EMIT statusMessage(tr("Run %1 is not in the store").arg(runId), 4000);
        return;
    }
    if (index != runCombo_->currentIndex())
        runCombo_->setCurrentIndex(index);  // loads it
    else
        loadRun();
}

void InspectView::loadRun() {
    const int index = runCombo_->currentIndex();
    const bool wasSource = haveSource_;
    const RunSource previous = source_;
    const qint64 previousStep =
        haveSource_ && checkpointCombo_->currentIndex() >= 0 && !source_.steps.isEmpty()
            ? source_.steps.value(checkpointCombo_->currentData().toInt(), -1)
            : -1;
    haveSource_ = index >= 0 && index < runs_.size();
    if (!haveSource_) return;
    source_ = runs_[index];
    // A run seen before without checkpoints is new to the view once it has some.
    const bool sameRun = wasSource && previous.runId == source_.runId && !previous.steps.isEmpty();
    if (sameRun && previous.steps == source_.steps && previous.checkpointPaths == source_.checkpointPaths &&
        result_)
        return;  // a refresh that changed nothing for this run: keep the placement and the selection
    {
        const QSignalBlocker block(checkpointCombo_);
        checkpointCombo_->clear();
        for (int i = 0; i < source_.steps.size(); ++i)
            checkpointCombo_->addItem(tr("step %1").arg(source_.steps[i]), i);
        const int keep = sameRun && userCheckpoint_ ? int(source_.steps.indexOf(previousStep)) : -1;
        checkpointCombo_->setCurrentIndex(keep >= 0 ? keep
                                                    : checkpointCombo_->count() - 1);  // else the latest
    }
    if (!sameRun) userCheckpoint_ = false;
    if (source_.steps.isEmpty()) {
        emptyLabel_->setText(tr("Run %1 has no checkpoint yet: it can be inspected once training has "
                                "written one.")
                                 .arg(source_.label()));
        stack_->setCurrentIndex(0);
        errorLabel_->hide();
        placementLabel_->clear();
        result_.reset();
        return;
    }
    if (tooShort_.contains(source_.runId)) {
        showTooShort(tooShort_.value(source_.runId));
        return;
    }
    if (sameRun) {  // new checkpoints of the run on screen: nothing else changes
        schedule();
        return;
    }
    firstResultForRun_ = true;
    result_.reset();
    errorLabel_->hide();
    placementLabel_->clear();
    controls_->setEnabled(true);
    controls_->show();
    emptyLabel_->setText(tr("Placing the needle in %1…").arg(source_.label()));
    stack_->setCurrentIndex(0);
    const bool diff = source_.kind == QLatin1String("diff") || source_.kind == QLatin1String("diff2");
    for (int i = 1; i < 3; ++i) mapButtons_[i]->setEnabled(diff);
    if (!diff && mapKind_ != MapKind::Effective) setMapKind(MapKind::Effective);
    controls_->startModel(source_.maxContext);
    schedule();
}

void InspectView::schedule() {
    if (!haveSource_ || source_.steps.isEmpty() || tooShort_.contains(source_.runId)) return;
    coalesce_->start();
}

void InspectView::sendRequest() {
    if (!haveSource_) return;
    InspectionRequest request = requestFor(source_, checkpointCombo_->currentData().toInt());
    controls_->fillRequest(request);
    request.allRows = allRowsBox_->isChecked();
    sentId_ = worker_->request({request});
    sentRun_ = source_.runId;
}

void InspectView::onFinished(const InspectOutcome& outcome) {
    // A job sent for another run (the run changed while it was computed) is of no use.
    if (outcome.entries.isEmpty() || !haveSource_ || sentRun_ != source_.runId || outcome.id != sentId_)
        return;
    const InspectEntry& entry = outcome.entries.front();
    if (entry.modelTooShort) {
        tooShort_.insert(source_.runId, entry.error);
        if (const int at = runCombo_->findData(source_.runId); at >= 0)
            runCombo_->setItemText(at, runCombo_->itemText(at) + tr(" · context too short to inspect"));
        const int next = userRun_ ? -1 : newestInspectable();
        if (next >= 0 && runs_[next].runId != source_.runId && inspectable(runs_[next])) {
            runCombo_->setCurrentIndex(next);  // opened on its own: go on to a run that can be inspected
            return;
        }
        showTooShort(entry.error);
        return;
    }
    if (!entry.result) {
        // A placement the model cannot hold: the slider stays, the message says why.
        showError(entry.error);
        if (!result_) {
            emptyLabel_->setText(tr("No placement to show: %1").arg(entry.error));
            stack_->setCurrentIndex(0);
        }
        return;
    }
    errorLabel_->hide();
    lastStatus_.clear();
    result_ = entry.result;
    showResult();
}

void InspectView::showError(const QString& message) {
    errorLabel_->setText(message);
    errorLabel_->show();
    announce(message);
}

void InspectView::announce(const QString& status) {
    // Once per message, and only while the user looks at this view: not during unrelated work elsewhere
    // (the view itself keeps showing the message).
    if (status == lastStatus_ || !isVisible()) return;
    Q_EMIT statusMessage(status, 6000);
    lastStatus_ = status;
}

void InspectView::showTooShort(const QString& message) {
    result_.reset();
    errorLabel_->hide();
    placementLabel_->clear();
    controls_->setEnabled(false);
    controls_->hide();  // the previous model's placement and limits mean nothing here
    emptyLabel_->setText(tr("%1 cannot be inspected: %2").arg(source_.label(), message));
    stack_->setCurrentIndex(0);
    announce(tr("%1 is too short for the needle task").arg(source_.label()));
}

void InspectView::showResult() {
    const InspectionResult& r = *result_;
    stack_->setCurrentIndex(1);
    controls_->setPromptLimits(r.minPromptLength, r.maxPromptLength);
    controls_->showPlacement(r);
    if (layer_ < 0 || layer_ >= r.layers || head_ < 0 || head_ >= r.heads || firstResultForRun_) {
        std::tie(layer_, head_) = strongestAnswerHead(r);  // start where the answer draws the most attention
    }
    firstResultForRun_ = false;
    if (rowPosition_ >= 0 && r.rowIndexOf(rowPosition_) < 0) rowPosition_ = -1;
    updateHeadGrid();
    updateHeatmap();
    updateStrip();
    updateBars();
    updateLabels();
}

void InspectView::setMapKind(MapKind kind) {
    if (kind != MapKind::Effective && result_ && !result_->diff) kind = MapKind::Effective;
    mapKind_ = kind;
    if (QAbstractButton* b = mapGroup_->button(int(kind)); b && !b->isChecked()) b->setChecked(true);
    if (overview_->mapsBox()->isChecked()) updateHeadGrid();
    updateHeatmap();
    updateStrip();
    updateLabels();
}

void InspectView::selectHead(int layer, int head) { headGrid()->selectHead(layer, head); }

void InspectView::updateHeadGrid() {
    if (!result_) return;
    overview_->showHeads(*result_, bucketNorm(), layer_, head_, mapKind_);
}

void InspectView::updateHeatmap() {
    if (!result_) return;
    const int64_t rowIndex = rowPosition_ >= 0 ? result_->rowIndexOf(rowPosition_) : result_->queryRowIndex;
    headPanel_->showHead(result_, layer_, head_, mapKind_, rowIndex, symLogBox_->isChecked());
}

void InspectView::updateStrip() {
    if (!result_) return;
    const int64_t rowIndex = rowPosition_ >= 0 ? result_->rowIndexOf(rowPosition_) : result_->queryRowIndex;
    showAttentionRow(tokenStrip_, *result_, layer_, head_, mapKind_, rowIndex);
    lambdaStrip_->setVisible(result_->diff2);
    if (result_->diff2) showLambdaRow(lambdaStrip_, *result_, layer_, head_, tokenStrip_->currentToken());
}

void InspectView::updateBars() {
    if (!result_) return;
    overview_->showBuckets(*result_, layer_, head_, bucketNorm(), normCombo_->currentText());
}

void InspectView::updateLabels() {
    if (!result_) return;
    const InspectionResult& r = *result_;
    headPanel_->setHeadTitle(tr("%1 · %2 · layer %3, head %4")
                                 .arg(source_.label(), checkpointCombo_->currentText())
                                 .arg(layer_)
                                 .arg(head_));
    placementLabel_->setText(placementText(r));
}

}  // namespace needlescope
