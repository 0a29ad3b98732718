#include "ui/views/InspectView.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "core/store/RunStore.h"
#include "ui/widgets/BucketBarsWidget.h"
#include "ui/widgets/HeadGridWidget.h"
#include "ui/widgets/HeatmapWidget.h"
#include "ui/widgets/NumberFormat.h"
#include "ui/views/InspectionSpans.h"
#include "ui/widgets/HighlightSpan.h"
#include "ui/widgets/TokenStripWidget.h"
#include "ui/widgets/TokenText.h"

namespace needlescope {
namespace {

constexpr int kDefaultContext = 512;  // the slider starts at the longest context up to this

QString piece(const InspectionResult& r, int64_t i) {
    return i >= 0 && size_t(i) < r.pieces.size() ? QString::fromStdString(r.pieces[size_t(i)]) : QString();
}

QString mapName(MapKind kind, bool diff) {
    if (!diff) return QStringLiteral("softmax attention");
    switch (kind) {
        case MapKind::A1: return QStringLiteral("A1 (softmax 1)");
        case MapKind::A2: return QStringLiteral("A2 (softmax 2)");
        default: return QStringLiteral("A1 − λ·A2 (signed)");
    }
}

QLabel* boldLabel(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    return label;
}

}  // namespace

InspectView::InspectView(const needlescope::app::AppPaths& paths, QWidget* parent) : QWidget(parent), paths_(paths) {
    worker_ = new InspectWorker(this);
    coalesce_ = new QTimer(this);
    coalesce_->setSingleShot(true);
    coalesce_->setInterval(15);
    connect(coalesce_, &QTimer::timeout, this, &InspectView::sendRequest);
    connect(worker_, &InspectWorker::finished, this, &InspectView::onFinished);
    buildUi();
    connect(worker_, &InspectWorker::busyChanged, busyLabel_, [this](bool busy) {
        busyLabel_->setText(busy ? QStringLiteral("computing…") : QString());
    });
    refresh();
}

InspectView::~InspectView() = default;

void InspectView::buildUi() {
    auto* root = new QVBoxLayout(this);
    root->setContentsMargins(6, 6, 6, 6);
    root->setSpacing(4);

    // Row 1: run, checkpoint, map kind, bucket normalisation, rows.
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Run"), this));
    runCombo_ = new QComboBox(this);
    runCombo_->setMinimumContentsLength(28);
    runCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    runCombo_->setToolTip(tr("The run to inspect (newest first)"));
    top->addWidget(runCombo_, 3);
    top->addWidget(new QLabel(tr("Checkpoint"), this));
    checkpointCombo_ = new QComboBox(this);
    checkpointCombo_->setMinimumContentsLength(10);
    top->addWidget(checkpointCombo_, 1);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Map"), this));
    mapGroup_ = new QButtonGroup(this);
    mapGroup_->setExclusive(true);
    const QString mapTexts[3] = {tr("Effective"), tr("A1"), tr("A2")};
    const QString mapTips[3] = {tr("The attention the model used: softmax A (standard) or A1 − λ·A2 (DIFF, signed)"),
                                tr("DIFF: the first softmax map A1"), tr("DIFF: the second softmax map A2")};
    for (int i = 0; i < 3; ++i) {
        mapButtons_[i] = new QToolButton(this);
        mapButtons_[i]->setText(mapTexts[i]);
        mapButtons_[i]->setToolTip(mapTips[i]);
        mapButtons_[i]->setCheckable(true);
        mapButtons_[i]->setAutoRaise(false);
        mapGroup_->addButton(mapButtons_[i], i);
        top->addWidget(mapButtons_[i]);
    }
    mapButtons_[0]->setChecked(true);
    connect(mapGroup_, &QButtonGroup::idClicked, this, [this](int id) { setMapKind(MapKind(id)); });
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Buckets"), this));
    normCombo_ = new QComboBox(this);
    normCombo_->addItem(tr("signed"), int(Normalisation::Signed));
    normCombo_->addItem(tr("absolute"), int(Normalisation::Absolute));
    normCombo_->addItem(tr("raw"), int(Normalisation::Raw));
    normCombo_->setToolTip(tr("signed: bucket / signed row total · absolute: |a| / Σ|a| · raw: the weights as used"));
    top->addWidget(normCombo_);
    allRowsBox_ = new QCheckBox(tr("All query rows"), this);
    allRowsBox_->setChecked(true);
    allRowsBox_->setToolTip(tr("Heatmap of every query row (long contexts: the last 128 rows and the question), "
                               "or only the last prompt token's row"));
    top->addWidget(allRowsBox_);
    symLogBox_ = new QCheckBox(tr("Log colours"), this);
    symLogBox_->setToolTip(tr("Sign-preserving log colour scale (linear within 1 % of the largest |value|): "
                              "small and negative weights stay visible next to the attention sink"));
    top->addWidget(symLogBox_);
    root->addLayout(top);

    // Row 2: needle and question texts.
    auto* texts = new QHBoxLayout;
    texts->addWidget(new QLabel(tr("Needle"), this));
    needleEdit_ = new QLineEdit(this);
    needleEdit_->setToolTip(tr("The needle sentence; its last number is the answer. Edit it to try your own."));
    texts->addWidget(needleEdit_, 3);
    texts->addWidget(new QLabel(tr("Question"), this));
    questionEdit_ = new QLineEdit(this);
    questionEdit_->setToolTip(tr("The cloze question that ends the prompt"));
    texts->addWidget(questionEdit_, 3);
    resetTextsButton_ = new QToolButton(this);
    resetTextsButton_->setText(tr("Generated"));
    resetTextsButton_->setToolTip(tr("Back to the probe generator's needle and question"));
    texts->addWidget(resetTextsButton_);
    texts->addWidget(new QLabel(tr("Sample"), this));
    sampleSpin_ = new QSpinBox(this);
    sampleSpin_->setRange(0, 999);
    sampleSpin_->setToolTip(tr("Which seeded sample: haystack window and generated needle"));
    texts->addWidget(sampleSpin_);
    texts->addWidget(new QLabel(tr("Needles"), this));
    needlesSpin_ = new QSpinBox(this);
    needlesSpin_->setRange(1, 8);
    needlesSpin_->setToolTip(tr("Needle pairs in the haystack: one queried, the others distractors"));
    texts->addWidget(needlesSpin_);
    root->addLayout(texts);

    // Row 3: depth and context sliders.
    auto* sliders = new QHBoxLayout;
    sliders->addWidget(new QLabel(tr("Depth"), this));
    depthSlider_ = new QSlider(Qt::Horizontal, this);
    depthSlider_->setRange(0, 100);
    depthSlider_->setValue(50);
    depthSlider_->setPageStep(25);
    depthSlider_->setTickPosition(QSlider::TicksBelow);
    depthSlider_->setTickInterval(25);
    depthSlider_->setToolTip(tr("Needle depth: the share of the haystack before the needle (0 % = first, 100 % = last)"));
    sliders->addWidget(depthSlider_, 1);
    depthLabel_ = new QLabel(this);
    depthLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("100 % (placed 100.0 %)")));
    sliders->addWidget(depthLabel_);
    sliders->addSpacing(12);
    sliders->addWidget(new QLabel(tr("Context"), this));
    contextSlider_ = new QSlider(Qt::Horizontal, this);
    contextSlider_->setRange(32, 256);
    contextSlider_->setValue(256);
    contextSlider_->setSingleStep(1);
    contextSlider_->setPageStep(32);
    contextSlider_->setToolTip(tr("Prompt length in tokens, up to the model's maximum context"));
    sliders->addWidget(contextSlider_, 1);
    contextLabel_ = new QLabel(this);
    contextLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("10000 / 10000 tokens")));
    sliders->addWidget(contextLabel_);
    root->addLayout(sliders);

    errorLabel_ = new QLabel(this);
    errorLabel_->setStyleSheet(QStringLiteral("color: #b00020;"));
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

    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto* gridBox = new QGroupBox(tr("Heads — answer attention of the last token"), left);
    auto* gridLayout = new QVBoxLayout(gridBox);
    gridLayout->setContentsMargins(4, 4, 4, 4);
    headGrid_ = new HeadGridWidget(gridBox);
    headGrid_->setToolTip(tr("Layers × heads, coloured by the query row's attention to the answer; click a head"));
    gridLayout->addWidget(headGrid_);
    leftLayout->addWidget(gridBox, 3);
    auto* barsBox = new QGroupBox(tr("Buckets of the query row"), left);
    auto* barsLayout = new QVBoxLayout(barsBox);
    barsLayout->setContentsMargins(4, 4, 4, 4);
    bucketBars_ = new BucketBarsWidget(barsBox);
    barsLayout->addWidget(bucketBars_);
    leftLayout->addWidget(barsBox, 3);
    greedyLabel_ = new QLabel(left);
    greedyLabel_->setWordWrap(true);
    greedyLabel_->setTextFormat(Qt::RichText);
    leftLayout->addWidget(greedyLabel_);
    splitter->addWidget(left);

    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(2);
    headTitle_ = boldLabel(QString(), right);
    rightLayout->addWidget(headTitle_);
    lambdaLabel_ = new QLabel(right);
    rightLayout->addWidget(lambdaLabel_);
    heatmap_ = new HeatmapWidget(right);
    heatmap_->setShowColorBar(true);
    rightLayout->addWidget(heatmap_, 1);
    hoverLabel_ = new QLabel(right);
    hoverLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    hoverLabel_->setText(tr("Hover the map for the token pair and value; click a row to shade the strip with it."));
    rightLayout->addWidget(hoverLabel_);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({380, 880});
    contentLayout->addWidget(splitter, 1);

    tokenStrip_ = new TokenStripWidget(content);
    contentLayout->addWidget(tokenStrip_);
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
    connect(checkpointCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) { schedule(); });
    connect(depthSlider_, &QSlider::valueChanged, this, [this](int) {
        updateSliderLabels();
        schedule();
    });
    connect(contextSlider_, &QSlider::valueChanged, this, [this](int) {
        updateSliderLabels();
        schedule();
    });
    connect(needleEdit_, &QLineEdit::textEdited, this, [this](const QString&) { customNeedle_ = true; });
    connect(questionEdit_, &QLineEdit::textEdited, this, [this](const QString&) { customQuestion_ = true; });
    connect(needleEdit_, &QLineEdit::editingFinished, this, [this] {
        if (customNeedle_) schedule();
    });
    connect(questionEdit_, &QLineEdit::editingFinished, this, [this] {
        if (customQuestion_) schedule();
    });
    connect(resetTextsButton_, &QToolButton::clicked, this, [this] {
        customNeedle_ = customQuestion_ = false;
        schedule();
    });
    connect(sampleSpin_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) { schedule(); });
    connect(needlesSpin_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) { schedule(); });
    connect(allRowsBox_, &QCheckBox::toggled, this, [this](bool) { schedule(); });
    connect(symLogBox_, &QCheckBox::toggled, this, [this](bool) {
        updateHeatmap();
        updateStrip();
    });
    connect(normCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) {
        updateHeadGrid();
        updateBars();
    });
    connect(headGrid_, &HeadGridWidget::headSelected, this, [this](int layer, int head) {
        if (layer < 0) return;
        layer_ = layer;
        head_ = head;
        updateHeatmap();
        updateStrip();
        updateBars();
        updateLabels();
    });
    connect(heatmap_, &HeatmapWidget::cellClicked, this, [this](int row, int) {
        if (!result_ || row < 0 || row >= result_->rows) return;
        rowPosition_ = result_->rowPositions[size_t(row)];
        heatmap_->setHighlightedRow(row);
        updateStrip();
    });
    connect(heatmap_, &HeatmapWidget::hovered, this, [this](int row, int col, float value) {
        if (!result_ || row < 0 || row >= result_->rows) return;
        const int64_t q = result_->rowPositions[size_t(row)];
        QString text = tr("query #%1 “%2” → key #%3 “%4”: %5")
                           .arg(q)
                           .arg(visibleToken(piece(*result_, q)))
                           .arg(col)
                           .arg(visibleToken(piece(*result_, col)))
                           .arg(formatValue(value));
        QStringList in;
        for (const HighlightSpan& s : spansOf(*result_))
            if (s.contains(col)) in << s.label;
        if (!in.isEmpty()) text += QStringLiteral("  [%1]").arg(in.join(QStringLiteral(", ")));
        hoverLabel_->setText(text);
    });
    connect(tokenStrip_, &TokenStripWidget::tokenClicked, this, [this](int index) {
        if (!result_) return;
        const int64_t row = result_->rowIndexOf(index);
        if (row < 0) return;
        rowPosition_ = index;
        heatmap_->setHighlightedRow(int(row));
        updateStrip();
    });
    updateSliderLabels();
}

qint64 InspectView::currentRunId() const {
    return runCombo_->currentIndex() >= 0 ? runCombo_->currentData().toLongLong() : 0;
}

QString InspectView::errorText() const { return errorLabel_->isVisible() ? errorLabel_->text() : QString(); }

Normalisation InspectView::bucketNorm() const { return Normalisation(normCombo_->currentData().toInt()); }

void InspectView::refresh() {
    const qint64 previous = currentRunId();
    runs_.clear();
    QString problem;
    if (paths_.dbPath.isEmpty() || !QFileInfo::exists(paths_.dbPath)) {
        problem = tr("No run store yet. Train a paired experiment in the Train view, then inspect it here.");
    } else {
        try {
            const RunStore store = RunStore::open(paths_.dbPath.toStdString(), /*readOnly=*/true);
            for (const RunRecord& r : store.runs()) {
                try {
                    runs_.push_back(readRunSource(store, r.id, paths_));
                } catch (const std::exception&) {
                    // A run whose config cannot be read is simply not offered.
                }
            }
        } catch (const std::exception& e) {
            problem = tr("Cannot read the run store: %1").arg(QString::fromUtf8(e.what()));
        }
        if (problem.isEmpty() && runs_.isEmpty())
            problem = tr("No runs yet. Train a paired experiment in the Train view, then inspect it here.");
    }
    {
        const QSignalBlocker block(runCombo_);
        runCombo_->clear();
        for (const RunSource& s : runs_) {
            QString text = s.label();
            if (!s.group.isEmpty() && !s.name.contains(s.group)) text += QStringLiteral(" · %1").arg(s.group);
            if (s.steps.isEmpty()) text += tr(" · no checkpoints");
            runCombo_->addItem(text, s.runId);
        }
        int index = runCombo_->findData(previous);
        if (index < 0) {
            // The newest run that has a checkpoint.
            for (int i = 0; i < runs_.size() && index < 0; ++i)
                if (!runs_[i].steps.isEmpty()) index = i;
            if (index < 0 && !runs_.isEmpty()) index = 0;
        }
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

void InspectView::showRun(qint64 runId) {
    int index = runCombo_->findData(runId);
    if (index < 0) {
        refresh();
        index = runCombo_->findData(runId);
    }
    if (index < 0) {
        Q_EMIT statusMessage(tr("Run %1 is not in the store").arg(runId), 4000);
        return;
    }
    if (index != runCombo_->currentIndex()) runCombo_->setCurrentIndex(index);  // loads it
    else loadRun();
}

void InspectView::loadRun() {
    const int index = runCombo_->currentIndex();
    const bool wasSource = haveSource_;
    const RunSource previous = source_;
    const qint64 previousStep = haveSource_ && checkpointCombo_->currentIndex() >= 0 && !source_.steps.isEmpty()
                                    ? source_.steps.value(checkpointCombo_->currentData().toInt(), -1)
                                    : -1;
    haveSource_ = index >= 0 && index < runs_.size();
    if (!haveSource_) return;
    source_ = runs_[index];
    const bool sameRun = wasSource && previous.runId == source_.runId;
    if (sameRun && previous.steps == source_.steps && previous.checkpointPaths == source_.checkpointPaths && result_)
        return;  // a refresh that changed nothing for this run: keep the placement and the selection
    {
        const QSignalBlocker block(checkpointCombo_);
        checkpointCombo_->clear();
        for (int i = 0; i < source_.steps.size(); ++i)
            checkpointCombo_->addItem(tr("step %1").arg(source_.steps[i]), i);
        const int keep = sameRun ? int(source_.steps.indexOf(previousStep)) : -1;
        checkpointCombo_->setCurrentIndex(keep >= 0 ? keep : checkpointCombo_->count() - 1);  // else the latest
    }
    if (source_.steps.isEmpty()) {
        emptyLabel_->setText(tr("Run %1 has no checkpoint yet.").arg(source_.label()));
        stack_->setCurrentIndex(0);
        result_.reset();
        return;
    }
    if (sameRun) {  // new checkpoints of the run on screen: nothing else changes
        schedule();
        return;
    }
    firstResultForRun_ = true;
    result_.reset();
    emptyLabel_->setText(tr("Placing the needle in %1…").arg(source_.label()));
    stack_->setCurrentIndex(0);
    const bool diff = source_.kind == QLatin1String("diff");
    for (int i = 1; i < 3; ++i) mapButtons_[i]->setEnabled(diff);
    if (!diff && mapKind_ != MapKind::Effective) setMapKind(MapKind::Effective);
    {
        // Until the first placement reports the exact limit, the model's maximum minus a few answer tokens.
        const QSignalBlocker block(contextSlider_);
        const int maxPrompt = std::max(16, source_.maxContext - 8);
        contextSlider_->setRange(std::min(32, maxPrompt), maxPrompt);
        contextSlider_->setValue(std::min(maxPrompt, kDefaultContext));
    }
    updateSliderLabels();
    schedule();
}

void InspectView::schedule() {
    if (!haveSource_ || source_.steps.isEmpty()) return;
    coalesce_->start();
}

void InspectView::sendRequest() {
    if (!haveSource_) return;
    InspectionRequest request = requestFor(source_, checkpointCombo_->currentData().toInt());
    request.depth = depthSlider_->value();
    request.contextLength = contextSlider_->value();
    if (customNeedle_) request.needle = needleEdit_->text().toStdString();
    if (customQuestion_) request.question = questionEdit_->text().toStdString();
    request.sample = sampleSpin_->value();
    request.needles = needlesSpin_->value();
    request.allRows = allRowsBox_->isChecked();
    sentId_ = worker_->request({request});
    sentRun_ = source_.runId;
}

void InspectView::onFinished(const InspectOutcome& outcome) {
    // A job sent for another run (the run changed while it was computed) is of no use.
    if (outcome.entries.isEmpty() || !haveSource_ || sentRun_ != source_.runId || outcome.id != sentId_) return;
    const InspectEntry& entry = outcome.entries.front();
    if (!entry.result) {
        showError(entry.error);
        // A context the model cannot hold: the slider stays, the message says why.
        return;
    }
    errorLabel_->hide();
    result_ = entry.result;
    showResult();
}

void InspectView::showError(const QString& message) {
    errorLabel_->setText(message);
    errorLabel_->show();
    Q_EMIT statusMessage(message, 6000);
}

void InspectView::showResult() {
    const InspectionResult& r = *result_;
    stack_->setCurrentIndex(1);
    {
        // The exact bounds the model allows; never recompute because of them.
        const QSignalBlocker block(contextSlider_);
        const int minimum = int(std::min<int64_t>(r.maxPromptLength, r.minPromptLength + 8));
        contextSlider_->setRange(minimum, int(r.maxPromptLength));
        contextSlider_->setValue(int(r.contextLength));
    }
    if (!customNeedle_) {
        needleEdit_->setText(QString::fromStdString(r.needleText));
        needleEdit_->setCursorPosition(0);
    }
    if (!customQuestion_) {
        questionEdit_->setText(QString::fromStdString(r.questionText));
        questionEdit_->setCursorPosition(0);
    }
    if (layer_ < 0 || layer_ >= r.layers || head_ < 0 || head_ >= r.heads || firstResultForRun_) {
        // Start on the head that attends most to the answer.
        int bestLayer = int(r.layers) - 1, bestHead = 0;
        double best = -1e300;
        for (int64_t l = 0; l < r.layers; ++l)
            for (int64_t h = 0; h < r.heads; ++h) {
                const double v = pick(r.buckets(l, h), Normalisation::Raw).answer;
                if (std::isfinite(v) && v > best) best = v, bestLayer = int(l), bestHead = int(h);
            }
        layer_ = bestLayer;
        head_ = bestHead;
    }
    firstResultForRun_ = false;
    if (rowPosition_ >= 0 && r.rowIndexOf(rowPosition_) < 0) rowPosition_ = -1;
    updateSliderLabels();
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
    updateHeatmap();
    updateStrip();
    updateLabels();
}

void InspectView::selectHead(int layer, int head) { headGrid_->selectHead(layer, head); }

void InspectView::updateHeadGrid() {
    if (!result_) return;
    const InspectionResult& r = *result_;
    if (headGrid_->layers() != r.layers || headGrid_->heads() != r.heads) headGrid_->setGrid(int(r.layers), int(r.heads));
    std::vector<float> values;
    values.reserve(size_t(r.layers * r.heads));
    for (const RowBuckets& h : r.perHead) values.push_back(float(pick(h, bucketNorm()).answer));
    bool negative = false;
    for (float v : values) negative = negative || v < 0;
    headGrid_->setScaleMode(r.diff || negative ? ColorScale::Mode::Diverging : ColorScale::Mode::Sequential);
    headGrid_->setScalars(values);
    const QSignalBlocker block(headGrid_);
    headGrid_->selectHead(layer_, head_);
}

void InspectView::updateHeatmap() {
    if (!result_) return;
    const InspectionResult& r = *result_;
    const MapKind kind = r.diff ? mapKind_ : MapKind::Effective;
    const float* data = r.map(kind, layer_, head_);
    if (!data) {
        heatmap_->clear();
        return;
    }
    heatmap_->setMatrix(int(r.rows), int(r.cols), std::vector<float>(data, data + r.rows * r.cols));
    const bool signedMap = r.diff && kind == MapKind::Effective;
    heatmap_->setScaleMode(signedMap ? ColorScale::Mode::Diverging : ColorScale::Mode::Sequential);
    const auto range = heatmap_->dataRange();
    const float maxAbs = std::max(std::fabs(range.first), std::fabs(range.second));
    heatmap_->setSymLog(symLogBox_->isChecked() && maxAbs > 0 ? 0.01f * maxAbs : 0.0f);
    QStringList rowLabels, colLabels;
    for (int64_t p : r.rowPositions) rowLabels << piece(r, p);
    for (int64_t c = 0; c < r.cols; ++c) colLabels << piece(r, c);
    heatmap_->setRowLabels(rowLabels);
    heatmap_->setColumnLabels(colLabels);
    heatmap_->setColumnSpans(spansOf(r));
    heatmap_->setColorBarTitle(mapName(kind, r.diff));
    const int64_t rowIndex = rowPosition_ >= 0 ? r.rowIndexOf(rowPosition_) : r.queryRowIndex;
    heatmap_->setHighlightedRow(int(rowIndex));
    heatmap_->setTitle(tr("Layer %1 · head %2 — %3 · rows %4–%5 (of %6) × keys 0–%7")
                           .arg(layer_)
                           .arg(head_)
                           .arg(mapName(kind, r.diff))
                           .arg(r.rowPositions.empty() ? 0 : r.rowPositions.front())
                           .arg(r.rowPositions.empty() ? 0 : r.rowPositions.back())
                           .arg(r.contextLength)
                           .arg(r.cols - 1));
}

void InspectView::updateStrip() {
    if (!result_) return;
    const InspectionResult& r = *result_;
    QStringList pieces;
    pieces.reserve(int(r.pieces.size()));
    for (const std::string& p : r.pieces) pieces << QString::fromStdString(p);
    if (tokenStrip_->tokens() != pieces) tokenStrip_->setTokens(pieces);
    const QVector<HighlightSpan> spans = spansOf(r);
    const bool moved = tokenStrip_->spans().size() < 2 || tokenStrip_->spans()[1].begin != spans[1].begin;
    tokenStrip_->setSpans(spans);
    const MapKind kind = r.diff ? mapKind_ : MapKind::Effective;
    const int64_t rowIndex = rowPosition_ >= 0 ? r.rowIndexOf(rowPosition_) : r.queryRowIndex;
    if (const float* row = r.row(kind, layer_, head_, rowIndex)) {
        std::vector<float> weights(row, row + r.cols);
        const bool signedMap = r.diff && kind == MapKind::Effective;
        // Linear even with "Log colours": the strip's text must stay readable on its shading.
        tokenStrip_->setWeights(weights, ColorScale::fitted(signedMap ? ColorScale::Mode::Diverging
                                                                      : ColorScale::Mode::Sequential,
                                                            weights));
    } else {
        tokenStrip_->clearWeights();
    }
    const int64_t position = rowIndex >= 0 ? r.rowPositions[size_t(rowIndex)] : r.queryRow;
    tokenStrip_->setCurrentToken(int(position));
    if (moved) tokenStrip_->ensureTokenVisible(int(r.needle.begin));
}

void InspectView::updateBars() {
    if (!result_) return;
    const InspectionResult& r = *result_;
    const Normalisation norm = bucketNorm();
    auto values = [](const BucketValues& b) { return QVector<double>{b.sink, b.answer, b.noise, b.query}; };
    QVector<BarSeries> series;
    series.push_back({tr("mean over heads, then layers"), QColor(0x44, 0x44, 0x44), values(pick(r.mean, norm))});
    if (layer_ >= 0 && layer_ < r.layers && head_ >= 0 && head_ < r.heads) {
        const RowBuckets& h = r.buckets(layer_, head_);
        QString name = tr("layer %1 · head %2").arg(layer_).arg(head_);
        if (norm == Normalisation::Signed && h.flagged) name += tr(" (row total ≤ 0)");
        series.push_back({name, QColor(0x00, 0x72, 0xB2), values(pick(h, norm))});
    }
    double lo = 0, hi = 1;
    for (const BarSeries& s : series)
        for (double v : s.values)
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    bucketBars_->setSeries(series);
    bucketBars_->setValueRange(lo, hi);
    bucketBars_->setTitle(tr("Query row #%1 · %2").arg(r.queryRow).arg(normCombo_->currentText()));
}

void InspectView::updateLabels() {
    if (!result_) return;
    const InspectionResult& r = *result_;
    const QString greedy = QString::fromStdString(r.greedyText).trimmed().toHtmlEscaped();
    const QString answer = QString::fromStdString(r.answerText).toHtmlEscaped();
    greedyLabel_->setText(r.hit ? tr("Greedy answer: <b>%1</b> <span style='color:#007a33'>✓ retrieved</span>").arg(greedy)
                                : tr("Greedy answer: <b>%1</b> <span style='color:#b00020'>✗ miss</span> (answer %2)")
                                      .arg(greedy.isEmpty() ? QStringLiteral("∅") : greedy, answer));
    headTitle_->setText(tr("%1 · %2 · layer %3, head %4")
                            .arg(source_.label(), checkpointCombo_->currentText())
                            .arg(layer_)
                            .arg(head_));
    if (r.diff && layer_ >= 0 && size_t(layer_) < r.lambdas.size()) {
        const double lambda = r.lambdas[size_t(layer_)];
        lambdaLabel_->setText(tr("λ (layer %1) = %2 · λ_init = %3 · effective rows sum to 1 − λ = %4")
                                  .arg(layer_)
                                  .arg(formatValue(lambda), formatValue(r.lambdaInits[size_t(layer_)]),
                                       formatValue(1.0 - lambda)));
    } else {
        lambdaLabel_->setText(tr("Standard softmax attention: every row sums to 1."));
    }
    placementLabel_->setText(tr("needle tokens %1–%2 (depth %3 %, placed at %4 %) · answer %5–%6 · question %7–%8 · "
                                "query row %9 · %10 tokens · %11 ms")
                                 .arg(r.needle.begin)
                                 .arg(r.needle.end - 1)
                                 .arg(r.depth)
                                 .arg(r.placedDepth, 0, 'f', 1)
                                 .arg(r.answer.begin)
                                 .arg(r.answer.end - 1)
                                 .arg(r.question.begin)
                                 .arg(r.question.end - 1)
                                 .arg(r.queryRow)
                                 .arg(r.contextLength)
                                 .arg(r.computeMs, 0, 'f', 1));
}

void InspectView::updateSliderLabels() {
    QString depth = tr("%1 %").arg(depthSlider_->value());
    if (result_ && int(result_->depth) == depthSlider_->value())
        depth += tr(" (placed %1 %)").arg(result_->placedDepth, 0, 'f', 1);
    depthLabel_->setText(depth);
    contextLabel_->setText(tr("%1 / %2 tokens").arg(contextSlider_->value()).arg(contextSlider_->maximum()));
}

}  // namespace needlescope
