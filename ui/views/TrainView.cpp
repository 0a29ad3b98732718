#include "ui/views/TrainView.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextCursor>
#include <QTime>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "core/data/Corpus.h"
#include "core/model/ModelConfig.h"
#include "core/store/RunStore.h"
#include "ui/charts/ChartStyle.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/widgets/NumberFormat.h"

namespace needlescope {

namespace {

constexpr const char* kLastDataKey = "train/lastDataDir";
constexpr const char* kLastPresetKey = "train/lastPreset";

QString formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("—");
    const qint64 total = static_cast<qint64>(std::llround(seconds));
    const qint64 h = total / 3600, m = (total / 60) % 60, s = total % 60;
    if (h > 0) return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QChar('0')).arg(s, 2, 10, QChar('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QChar('0'));
}

QString formatRate(double perSecond) {
    if (!std::isfinite(perSecond) || perSecond <= 0) return QStringLiteral("—");
    if (perSecond >= 1e6) return QString::number(perSecond / 1e6, 'f', 2) + QStringLiteral(" M");
    if (perSecond >= 1e3) return QString::number(perSecond / 1e3, 'f', 1) + QStringLiteral(" k");
    return QString::number(perSecond, 'f', 0);
}

QSpinBox* makeSpin(QWidget* parent, int min, int max, int step = 1, const QString& special = QString()) {
    auto* spin = new QSpinBox(parent);
    spin->setRange(min, max);
    spin->setSingleStep(step);
    spin->setGroupSeparatorShown(true);
    if (!special.isEmpty()) spin->setSpecialValueText(special);
    spin->setAccelerated(true);
    return spin;
}

int clampInt(int64_t v) {
    return static_cast<int>(std::clamp<int64_t>(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

// "label [field]" at (row, pair) of a two-pair-per-row grid; the label shares the field's tooltip.
void addPair(QGridLayout* grid, int row, int pair, const QString& text, QWidget* field) {
    auto* label = new QLabel(text, field->parentWidget());
    label->setBuddy(field);
    label->setToolTip(field->toolTip());
    field->setMinimumWidth(72);
    grid->addWidget(label, row, pair * 2);
    grid->addWidget(field, row, pair * 2 + 1);
    grid->setColumnStretch(pair * 2 + 1, 1);
    if (pair == 1) grid->setColumnMinimumWidth(2, 0);
}

// A small "title over value" read-out.
QFrame* statCard(QWidget* parent, const QString& title, QLabel** value, const QString& tip) {
    auto* card = new QFrame(parent);
    card->setFrameShape(QFrame::StyledPanel);
    card->setToolTip(tip);
    auto* v = new QVBoxLayout(card);
    v->setContentsMargins(8, 4, 8, 4);
    v->setSpacing(0);
    auto* t = new QLabel(title, card);
    QFont small = t->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    t->setFont(small);
    t->setStyleSheet(QStringLiteral("color: palette(mid);"));
    *value = new QLabel(QStringLiteral("—"), card);
    QFont big = (*value)->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    (*value)->setFont(big);
    (*value)->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(t);
    v->addWidget(*value);
    return card;
}

}  // namespace

TrainView::TrainView(const app::AppPaths& paths, QWidget* parent) : QWidget(parent), paths_(paths) {
    worker_ = new TrainingWorker(this);
    connect(worker_, &TrainingWorker::logLine, this, &TrainView::appendLog);
    connect(worker_, &TrainingWorker::runsCreated, this, &TrainView::onRunsCreated);
    connect(worker_, &TrainingWorker::metricsReady, this, &TrainView::onMetrics);
    connect(worker_, &TrainingWorker::progress, this, &TrainView::onProgress);
    connect(worker_, &TrainingWorker::finished, this, &TrainView::onFinished);
    connect(worker_, &TrainingWorker::pausedChanged, this, [this](bool paused) {
        updateActions();
        if (paused) setStateText(tr("Paused"), QStringLiteral("#b26b00"));
        else if (worker_->isBusy()) setStateText(tr("Training"), QStringLiteral("#0072b2"));
        Q_EMIT trainingStateChanged(worker_->isBusy(), paused);
    });
    buildUi();

    // The preset last used, else tiny (seconds) — or the first one.
    QStringList names;
    for (const auto& n : presetNames()) names << QString::fromStdString(n);
    const QString last = QSettings().value(kLastPresetKey).toString();
    const QString initial = names.contains(last) ? last : names.contains("quick") ? QStringLiteral("quick")
                                                                                   : names.value(0);
    selectPreset(initial);

    // Data folder: the --data flag, else the folder last trained on, else the documented search order.
    QString data = paths_.dataFlag;
    if (data.isEmpty()) data = QSettings().value(kLastDataKey).toString();
    if (data.isEmpty()) {
        try {
            app::AppPaths search = paths_;
            search.dataFlag.clear();
            data = search.locateData();
        } catch (const std::exception&) {
            data.clear();  // checkDataFolder() explains what is missing
        }
    }
    setDataFolder(data);
    updateActions();
}

TrainView::~TrainView() {
    // The worker's destructor stops the experiment (runs stay resumable) and waits for its thread.
    delete worker_;
    worker_ = nullptr;
}

QColor TrainView::modelColor(const QString& kind) {
    if (kind.compare(QLatin1String("standard"), Qt::CaseInsensitive) == 0) return chartPalette(0);
    if (kind.compare(QLatin1String("diff"), Qt::CaseInsensitive) == 0) return chartPalette(1);
    return chartPalette(2 + static_cast<int>(qHash(kind) % 5));
}

QString TrainView::seriesName(const QString& kind, bool validation) {
    return kind + (validation ? QStringLiteral(" val") : QStringLiteral(" train"));
}

// ----------------------------------------------------------------------------------------------- UI

void TrainView::buildUi() {
    startAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Start"), this);
    startAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    startAction_->setToolTip(tr("Start training the configured experiment (Ctrl+R)"));
    pauseAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
    pauseAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    pauseAction_->setToolTip(tr("Pause after the current step (Ctrl+P)"));
    resumeAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("&Resume"), this);
    resumeAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    resumeAction_->setToolTip(tr("Continue a paused training (Ctrl+P)"));
    stopAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("S&top"), this);
    stopAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    stopAction_->setToolTip(tr("Stop after the current step and checkpoint; the run can be resumed from Runs (Ctrl+.)"));
    for (QAction* a : {startAction_, pauseAction_, resumeAction_, stopAction_}) {
        a->setShortcutContext(Qt::WindowShortcut);
        addAction(a);  // works when the view is its own window (tests) too
    }
    connect(startAction_, &QAction::triggered, this, &TrainView::start);
    connect(pauseAction_, &QAction::triggered, this, &TrainView::pause);
    connect(resumeAction_, &QAction::triggered, this, &TrainView::resume);
    connect(stopAction_, &QAction::triggered, this, &TrainView::stop);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(buildForm());
    splitter->addWidget(buildMonitor());
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({380, 900});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(splitter);
}

QWidget* TrainView::buildForm() {
    auto* left = new QWidget(this);
    left->setMinimumWidth(350);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);

    auto* scroll = new QScrollArea(left);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    form_ = new QWidget(scroll);
    auto* formLayout = new QVBoxLayout(form_);
    formLayout->setContentsMargins(0, 0, 4, 0);

    // Preset + models.
    auto* experimentBox = new QGroupBox(tr("Experiment"), form_);
    auto* experimentForm = new QFormLayout(experimentBox);
    presetCombo_ = new QComboBox(experimentBox);
    presetCombo_->setObjectName(QStringLiteral("presetCombo"));
    for (const auto& n : presetNames()) presetCombo_->addItem(QString::fromStdString(n));
    presetCombo_->setToolTip(tr("tiny: seconds (tests) · quick: CPU demo, minutes · small · seed: the prior study · "
                                "retrieval: quick + needle-task curriculum"));
    experimentForm->addRow(tr("Preset"), presetCombo_);
    auto* models = new QWidget(experimentBox);
    auto* modelsRow = new QHBoxLayout(models);
    modelsRow->setContentsMargins(0, 0, 0, 0);
    standardBox_ = new QCheckBox(tr("Standard"), models);
    standardBox_->setObjectName(QStringLiteral("standardBox"));
    diffBox_ = new QCheckBox(tr("DIFF"), models);
    diffBox_->setObjectName(QStringLiteral("diffBox"));
    modelsRow->addWidget(standardBox_);
    modelsRow->addWidget(diffBox_);
    modelsRow->addStretch(1);
    experimentForm->addRow(tr("Models"), models);
    formLayout->addWidget(experimentBox);

    // Model shape.
    auto* shapeBox = new QGroupBox(tr("Model"), form_);
    auto* shapeGrid = new QGridLayout(shapeBox);
    dModelSpin_ = makeSpin(shapeBox, 8, 8192, 8);
    headsSpin_ = makeSpin(shapeBox, 1, 128);
    headsSpin_->setToolTip(tr("Baseline head count h; DIFF uses h/2 heads of twice the value width"));
    layersSpin_ = makeSpin(shapeBox, 1, 128);
    contextSpin_ = makeSpin(shapeBox, 8, 65536, 8);
    addPair(shapeGrid, 0, 0, tr("d_model"), dModelSpin_);
    addPair(shapeGrid, 0, 1, tr("Heads"), headsSpin_);
    addPair(shapeGrid, 1, 0, tr("Layers"), layersSpin_);
    addPair(shapeGrid, 1, 1, tr("Context"), contextSpin_);
    formLayout->addWidget(shapeBox);

    // Training.
    auto* trainBox = new QGroupBox(tr("Training"), form_);
    auto* trainGrid = new QGridLayout(trainBox);
    batchSpin_ = makeSpin(trainBox, 1, 65536);
    stepsSpin_ = makeSpin(trainBox, 0, std::numeric_limits<int>::max(), 100, tr("by epochs"));
    stepsSpin_->setObjectName(QStringLiteral("stepsSpin"));
    epochsSpin_ = new QDoubleSpinBox(trainBox);
    epochsSpin_->setRange(0, 10000);
    epochsSpin_->setDecimals(2);
    epochsSpin_->setSpecialValueText(tr("—"));
    epochsSpin_->setToolTip(tr("Used when steps is 0"));
    lrEdit_ = new QLineEdit(trainBox);
    auto* lrValidator = new QDoubleValidator(0.0, 10.0, 12, lrEdit_);
    lrValidator->setNotation(QDoubleValidator::ScientificNotation);
    lrValidator->setLocale(QLocale::c());
    lrEdit_->setValidator(lrValidator);
    lrEdit_->setToolTip(tr("Peak learning rate (cosine decay after the warm-up), e.g. 3e-4"));
    warmupSpin_ = makeSpin(trainBox, 0, std::numeric_limits<int>::max(), 10);
    evalEverySpin_ = makeSpin(trainBox, 1, std::numeric_limits<int>::max(), 10);
    checkpointEverySpin_ = makeSpin(trainBox, 1, std::numeric_limits<int>::max(), 50);
    probeEverySpin_ = makeSpin(trainBox, 0, std::numeric_limits<int>::max(), 50, tr("off"));
    probeEverySpin_->setToolTip(tr("Run the small needle probe every N steps and store answer/noise attention"));
    curriculumSpin_ = new QDoubleSpinBox(trainBox);
    curriculumSpin_->setRange(0.0, 1.0);
    curriculumSpin_->setSingleStep(0.05);
    curriculumSpin_->setDecimals(2);
    curriculumSpin_->setToolTip(tr("Share of training sequences built as needle-retrieval tasks"));
    vocabSpin_ = makeSpin(trainBox, 1, 1 << 20, 256);
    vocabSpin_->setToolTip(tr("sentencepiece vocabulary size (the model's vocab follows it)"));
    threadsSpin_ = makeSpin(trainBox, 0, 1024, 1, tr("all cores"));
    batchSpin_->setToolTip(tr("Sequences per step (both models see the same batches)"));
    stepsSpin_->setToolTip(tr("Total optimisation steps; 0 trains for the given number of epochs"));
    warmupSpin_->setToolTip(tr("Linear warm-up steps, then cosine decay"));
    evalEverySpin_->setToolTip(tr("Validation loss every N steps (and at the end)"));
    checkpointEverySpin_->setToolTip(tr("Checkpoint every N steps (and at the end); Stop also checkpoints"));
    threadsSpin_->setToolTip(tr("LibTorch intra-op threads (default from Settings)"));
    addPair(trainGrid, 0, 0, tr("Batch"), batchSpin_);
    addPair(trainGrid, 0, 1, tr("Steps"), stepsSpin_);
    addPair(trainGrid, 1, 0, tr("Epochs"), epochsSpin_);
    addPair(trainGrid, 1, 1, tr("LR"), lrEdit_);
    addPair(trainGrid, 2, 0, tr("Warm-up"), warmupSpin_);
    addPair(trainGrid, 2, 1, tr("Eval every"), evalEverySpin_);
    addPair(trainGrid, 3, 0, tr("Checkpoint"), checkpointEverySpin_);
    addPair(trainGrid, 3, 1, tr("Probe every"), probeEverySpin_);
    addPair(trainGrid, 4, 0, tr("Curriculum"), curriculumSpin_);
    addPair(trainGrid, 4, 1, tr("Vocab"), vocabSpin_);
    addPair(trainGrid, 5, 0, tr("Threads"), threadsSpin_);
    formLayout->addWidget(trainBox);
    dModelSpin_->setObjectName(QStringLiteral("dModelSpin"));
    headsSpin_->setObjectName(QStringLiteral("headsSpin"));
    layersSpin_->setObjectName(QStringLiteral("layersSpin"));
    contextSpin_->setObjectName(QStringLiteral("contextSpin"));
    batchSpin_->setObjectName(QStringLiteral("batchSpin"));
    warmupSpin_->setObjectName(QStringLiteral("warmupSpin"));
    evalEverySpin_->setObjectName(QStringLiteral("evalEverySpin"));
    checkpointEverySpin_->setObjectName(QStringLiteral("checkpointEverySpin"));
    probeEverySpin_->setObjectName(QStringLiteral("probeEverySpin"));
    vocabSpin_->setObjectName(QStringLiteral("vocabSpin"));
    threadsSpin_->setObjectName(QStringLiteral("threadsSpin"));
    epochsSpin_->setObjectName(QStringLiteral("epochsSpin"));
    lrEdit_->setObjectName(QStringLiteral("lrEdit"));
    curriculumSpin_->setObjectName(QStringLiteral("curriculumSpin"));

    // Data.
    auto* dataBox = new QGroupBox(tr("Data"), form_);
    auto* dataLayout = new QVBoxLayout(dataBox);
    auto* dataRow = new QHBoxLayout();
    dataEdit_ = new QLineEdit(dataBox);
    dataEdit_->setObjectName(QStringLiteral("dataEdit"));
    dataEdit_->setPlaceholderText(tr("WikiText folder or train.txt/valid.txt folder"));
    dataEdit_->setClearButtonEnabled(true);
    browseButton_ = new QPushButton(tr("Browse…"), dataBox);
    dataRow->addWidget(dataEdit_, 1);
    dataRow->addWidget(browseButton_);
    dataLayout->addLayout(dataRow);
    dataInfo_ = new QLabel(dataBox);
    dataInfo_->setObjectName(QStringLiteral("dataInfo"));
    dataInfo_->setWordWrap(true);
    dataInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dataLayout->addWidget(dataInfo_);
    formLayout->addWidget(dataBox);
    formLayout->addStretch(1);
    scroll->setWidget(form_);
    leftLayout->addWidget(scroll, 1);

    errorLabel_ = new QLabel(left);
    errorLabel_->setObjectName(QStringLiteral("errorLabel"));
    errorLabel_->setWordWrap(true);
    errorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLabel_->setStyleSheet(QStringLiteral("color: #b2182b;"));
    errorLabel_->hide();
    leftLayout->addWidget(errorLabel_);

    auto* buttons = new QGridLayout();
    buttons->setSpacing(4);
    int column = 0;
    for (QAction* a : {startAction_, pauseAction_, resumeAction_, stopAction_}) {
        auto* b = new QToolButton(left);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        b->setObjectName(a->text().remove('&').toLower() + QStringLiteral("Button"));
        buttons->addWidget(b, 0, column++);
    }
    leftLayout->addLayout(buttons);

    // Any edit revalidates; the data folder is checked shortly after typing stops.
    connect(presetCombo_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        if (!name.isEmpty()) selectPreset(name);
    });
    for (QCheckBox* box : {standardBox_, diffBox_}) connect(box, &QCheckBox::toggled, this, &TrainView::validateForm);
    for (QSpinBox* spin : {dModelSpin_, headsSpin_, layersSpin_, contextSpin_, batchSpin_, stepsSpin_, warmupSpin_,
                           evalEverySpin_, checkpointEverySpin_, probeEverySpin_, vocabSpin_, threadsSpin_})
        connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, &TrainView::validateForm);
    for (QDoubleSpinBox* spin : {epochsSpin_, curriculumSpin_})
        connect(spin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &TrainView::validateForm);
    connect(lrEdit_, &QLineEdit::textChanged, this, &TrainView::validateForm);
    auto* dataTimer = new QTimer(this);
    dataTimer->setSingleShot(true);
    dataTimer->setInterval(250);
    connect(dataTimer, &QTimer::timeout, this, &TrainView::checkDataFolder);
    connect(dataEdit_, &QLineEdit::textChanged, dataTimer, qOverload<>(&QTimer::start));
    connect(browseButton_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Corpus folder"), dataEdit_->text());
        if (!dir.isEmpty()) setDataFolder(dir);
    });
    return left;
}

QWidget* TrainView::buildMonitor() {
    auto* right = new QWidget(this);
    auto* layout = new QVBoxLayout(right);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* header = new QHBoxLayout();
    stateLabel_ = new QLabel(tr("Idle"), right);
    stateLabel_->setObjectName(QStringLiteral("stateLabel"));
    QFont f = stateLabel_->font();
    f.setPointSizeF(f.pointSizeF() * 1.3);
    f.setBold(true);
    stateLabel_->setFont(f);
    groupLabel_ = new QLabel(right);
    groupLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    groupLabel_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    header->addWidget(stateLabel_);
    header->addSpacing(12);
    header->addWidget(groupLabel_, 1);
    layout->addLayout(header);

    auto* cards = new QHBoxLayout();
    cards->addWidget(statCard(right, tr("Step"), &stepValue_, tr("Steps completed / total")));
    cards->addWidget(statCard(right, tr("Tokens/s"), &speedValue_, tr("Training throughput, all models together")));
    cards->addWidget(statCard(right, tr("Elapsed"), &elapsedValue_, tr("Training time (including earlier sessions of a resumed run)")));
    cards->addWidget(statCard(right, tr("ETA"), &etaValue_, tr("Estimated time to the last step")));
    cards->addWidget(statCard(right, tr("Last loss (train / val)"), &lossValue_, tr("Latest losses per model")), 2);
    stepValue_->setObjectName(QStringLiteral("stepValue"));
    speedValue_->setObjectName(QStringLiteral("speedValue"));
    etaValue_->setObjectName(QStringLiteral("etaValue"));
    elapsedValue_->setObjectName(QStringLiteral("elapsedValue"));
    lossValue_->setTextFormat(Qt::RichText);
    layout->addLayout(cards);

    auto* vertical = new QSplitter(Qt::Vertical, right);
    vertical->setChildrenCollapsible(false);
    chart_ = new LossChartWidget(vertical);
    chart_->setObjectName(QStringLiteral("lossChart"));
    chart_->setTitle(tr("Loss — train (solid) and validation (dashed)"));
    chart_->setYAxisTitle(tr("cross-entropy (nats)"));
    chart_->setMinimumHeight(260);
    {
        // The chart's view options (smoothing, raw, log-y, x axis) persist between sessions.
        QSettings settings;
        chart_->setSmoothing(settings.value(QStringLiteral("train/chart/smoothing"), chart_->smoothing()).toDouble());
        chart_->setSmoothingEnabled(settings.value(QStringLiteral("train/chart/smoothingOn"), chart_->smoothingEnabled()).toBool());
        chart_->setShowRaw(settings.value(QStringLiteral("train/chart/raw"), chart_->showRaw()).toBool());
        chart_->setLogY(settings.value(QStringLiteral("train/chart/logY"), chart_->logY()).toBool());
        chart_->setXAxis(settings.value(QStringLiteral("train/chart/xTokens"), false).toBool() ? LossXAxis::Tokens
                                                                                             : LossXAxis::Steps);
    }
    connect(chart_, &LossChartWidget::viewOptionsChanged, this, [this] {
        QSettings settings;
        settings.setValue(QStringLiteral("train/chart/smoothing"), chart_->smoothing());
        settings.setValue(QStringLiteral("train/chart/smoothingOn"), chart_->smoothingEnabled());
        settings.setValue(QStringLiteral("train/chart/raw"), chart_->showRaw());
        settings.setValue(QStringLiteral("train/chart/logY"), chart_->logY());
        settings.setValue(QStringLiteral("train/chart/xTokens"), chart_->xAxis() == LossXAxis::Tokens);
    });
    vertical->addWidget(chart_);

    auto* bottom = new QSplitter(Qt::Horizontal, vertical);
    bottom->setChildrenCollapsible(false);
    auto* lambdaBox = new QGroupBox(tr("DIFF λ per layer"), bottom);
    auto* lambdaLayout = new QVBoxLayout(lambdaBox);
    lambdaLayout->setContentsMargins(4, 4, 4, 4);
    lambdaTable_ = new QTableWidget(0, 3, lambdaBox);
    lambdaTable_->setObjectName(QStringLiteral("lambdaTable"));
    lambdaTable_->setHorizontalHeaderLabels({tr("Layer"), tr("λ"), tr("λ init")});
    lambdaTable_->verticalHeader()->hide();
    lambdaTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    lambdaTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    lambdaTable_->setSelectionMode(QAbstractItemView::NoSelection);
    lambdaTable_->setToolTip(tr("λ re-weights the second softmax map: A = softmax₁ − λ·softmax₂"));
    lambdaLayout->addWidget(lambdaTable_);
    auto* logBox = new QGroupBox(tr("Log"), bottom);
    auto* logLayout = new QVBoxLayout(logBox);
    logLayout->setContentsMargins(4, 4, 4, 4);
    log_ = new QPlainTextEdit(logBox);
    log_->setObjectName(QStringLiteral("logPane"));
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setLineWrapMode(QPlainTextEdit::NoWrap);
    log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    log_->setPlaceholderText(tr("Data preparation, tokenizer training and checkpoints are logged here."));
    logLayout->addWidget(log_);
    bottom->addWidget(lambdaBox);
    bottom->addWidget(logBox);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 3);
    vertical->addWidget(bottom);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 1);
    vertical->setSizes({480, 200});
    layout->addWidget(vertical, 1);
    return right;
}

// --------------------------------------------------------------------------------------------- form

void TrainView::selectPreset(const QString& name) {
    try {
        preset_ = loadPreset(name.toStdString());
    } catch (const std::exception& e) {
        errorLabel_->setText(QString::fromStdString(e.what()));
        errorLabel_->show();
        return;
    }
    if (presetCombo_->currentText() != name) {
        const QSignalBlocker block(presetCombo_);
        presetCombo_->setCurrentText(name);
    }
    QSettings().setValue(kLastPresetKey, name);
    fillForm(preset_);
}

void TrainView::fillForm(const TrainConfig& c) {
    const QList<QWidget*> editors = form_->findChildren<QWidget*>();
    for (QWidget* w : editors) w->blockSignals(true);
    standardBox_->setChecked(std::find(c.kinds.begin(), c.kinds.end(), ModelKind::Standard) != c.kinds.end());
    diffBox_->setChecked(std::find(c.kinds.begin(), c.kinds.end(), ModelKind::Diff) != c.kinds.end());
    dModelSpin_->setValue(clampInt(c.model.dModel));
    headsSpin_->setValue(clampInt(c.model.nHeads));
    layersSpin_->setValue(clampInt(c.model.nLayers));
    contextSpin_->setValue(clampInt(c.model.maxContext));
    batchSpin_->setValue(clampInt(c.batchSize));
    stepsSpin_->setValue(clampInt(c.steps));
    epochsSpin_->setValue(c.epochs);
    lrEdit_->setText(QString::number(c.optimizer.lr, 'g', 6));
    warmupSpin_->setValue(clampInt(c.optimizer.warmupSteps));
    evalEverySpin_->setValue(clampInt(c.evalEvery));
    checkpointEverySpin_->setValue(clampInt(c.checkpointEvery));
    probeEverySpin_->setValue(clampInt(c.probeEvery));
    curriculumSpin_->setValue(c.curriculumFraction);
    vocabSpin_->setValue(c.tokenizerVocab);
    const int savedThreads = QSettings().value(app::kSettingThreads, 0).toInt();
    threadsSpin_->setValue(c.threads > 0 ? c.threads : std::max(0, savedThreads));
    for (QWidget* w : editors) w->blockSignals(false);
    validateForm();
}

TrainConfig TrainView::currentConfig(QString* error) const {
    TrainConfig c = preset_;
    c.kinds.clear();
    if (standardBox_->isChecked()) c.kinds.push_back(ModelKind::Standard);
    if (diffBox_->isChecked()) c.kinds.push_back(ModelKind::Diff);
    c.model.dModel = dModelSpin_->value();
    c.model.nHeads = headsSpin_->value();
    c.model.nLayers = layersSpin_->value();
    c.model.maxContext = contextSpin_->value();
    c.batchSize = batchSpin_->value();
    c.steps = stepsSpin_->value();
    c.epochs = c.steps > 0 ? 0.0 : epochsSpin_->value();
    c.optimizer.warmupSteps = warmupSpin_->value();
    c.evalEvery = evalEverySpin_->value();
    c.checkpointEvery = checkpointEverySpin_->value();
    c.probeEvery = probeEverySpin_->value();
    c.curriculumFraction = curriculumSpin_->value();
    c.tokenizerVocab = vocabSpin_->value();
    c.model.vocabSize = c.tokenizerVocab;
    c.threads = threadsSpin_->value();
    QString message;
    bool ok = false;
    const double lr = QLocale::c().toDouble(lrEdit_->text().trimmed(), &ok);
    if (ok) c.optimizer.lr = lr;
    else message = tr("learning rate: enter a number such as 3e-4");
    if (message.isEmpty())
        if (auto err = c.validationError()) message = QString::fromStdString(*err);
    if (error) *error = message;
    return c;
}

QString TrainView::validationMessage() const { return validation_; }

void TrainView::validateForm() {
    currentConfig(&validation_);
    epochsSpin_->setEnabled(stepsSpin_->value() == 0 && form_->isEnabled());
    if (validation_.isEmpty()) {
        errorLabel_->clear();
        errorLabel_->hide();
    } else {
        errorLabel_->setText(tr("Config: %1").arg(validation_));
        errorLabel_->show();
    }
    updateActions();
}

void TrainView::setDataFolder(const QString& path) {
    dataEdit_->setText(path);
    checkDataFolder();
}

QString TrainView::dataFolder() const { return dataEdit_->text().trimmed(); }

void TrainView::checkDataFolder() {
    const QString path = dataFolder();
    if (path.isEmpty()) {
        try {
            app::AppPaths search = paths_;
            search.dataFlag.clear();
            const QString found = search.locateData();
            dataInfo_->setText(tr("Empty: the search order finds %1").arg(found));
            dataInfo_->setStyleSheet(QString());
        } catch (const std::exception& e) {
            dataInfo_->setText(QString::fromStdString(e.what()));
            dataInfo_->setStyleSheet(QStringLiteral("color: #b2182b;"));
        }
        return;
    }
    try {
        const CorpusInfo info = detectCorpus(QDir::cleanPath(path).toStdString());
        dataInfo_->setText(QStringLiteral("✓ ") + QString::fromStdString(info.describe()));
        dataInfo_->setStyleSheet(QStringLiteral("color: #1b7837;"));
    } catch (const std::exception& e) {
        dataInfo_->setText(QString::fromStdString(e.what()));
        dataInfo_->setStyleSheet(QStringLiteral("color: #b2182b;"));
    }
}

void TrainView::setFormEnabled(bool enabled) {
    form_->setEnabled(enabled);
    epochsSpin_->setEnabled(enabled && stepsSpin_->value() == 0);
}

void TrainView::updateActions() {
    const bool busy = worker_ && worker_->isBusy();
    const bool paused = busy && worker_->isPaused();
    const bool stopping = busy && worker_->isStopping();
    startAction_->setEnabled(!busy && validation_.isEmpty());
    pauseAction_->setEnabled(busy && !paused && !stopping);
    resumeAction_->setEnabled(busy && paused && !stopping);
    stopAction_->setEnabled(busy && !stopping);
}

void TrainView::refresh() {
    // Settings may have changed: threads default, data folder when none is chosen.
    if (!isTraining()) {
        if (dataFolder().isEmpty()) {
            const QString setting = QSettings().value(app::kSettingDataDir).toString();
            if (!setting.isEmpty()) setDataFolder(setting);
            else checkDataFolder();
        }
        if (preset_.threads == 0 && threadsSpin_->value() == 0)
            threadsSpin_->setValue(std::max(0, QSettings().value(app::kSettingThreads, 0).toInt()));
    }
    updateActions();
}

// ------------------------------------------------------------------------------------------ control

bool TrainView::isTraining() const { return worker_ && worker_->isBusy(); }
bool TrainView::isPaused() const { return worker_ && worker_->isPaused(); }

void TrainView::prepareChart(const QStringList& kinds) {
    chart_->clear();
    lastSeriesStep_.clear();
    lastTrainLoss_.clear();
    lastValLoss_.clear();
    for (const QString& kind : kinds) {
        chart_->setSeriesStyle(seriesName(kind, false), modelColor(kind), Qt::SolidLine);
        chart_->setSeriesStyle(seriesName(kind, true), modelColor(kind), Qt::DashLine);
    }
    lambdaTable_->setRowCount(0);
    stepValue_->setText(QStringLiteral("—"));
    speedValue_->setText(QStringLiteral("—"));
    elapsedValue_->setText(QStringLiteral("—"));
    etaValue_->setText(QStringLiteral("—"));
    lossValue_->setText(QStringLiteral("—"));
    lastStep_ = 0;
    totalSteps_ = 0;
}

void TrainView::start() {
    if (isTraining()) return;
    QString error;
    const TrainConfig config = currentConfig(&error);
    if (!error.isEmpty()) {
        errorLabel_->setText(tr("Config: %1").arg(error));
        errorLabel_->show();
        Q_EMIT statusMessage(tr("Cannot start: %1").arg(error), 6000);
        return;
    }
    QString dataDir = dataFolder();
    try {
        if (dataDir.isEmpty()) {
            app::AppPaths search = paths_;
            search.dataFlag.clear();
            dataDir = search.locateData();
        } else {
            dataDir = QDir::cleanPath(dataDir);
            detectCorpus(dataDir.toStdString());  // a clear message now rather than from the worker
        }
    } catch (const std::exception& e) {
        const QString message = QString::fromStdString(e.what());
        errorLabel_->setText(message);
        errorLabel_->show();
        Q_EMIT statusMessage(tr("Cannot start: no corpus found"), 6000);
        return;
    }
    QSettings().setValue(kLastDataKey, dataDir);
    errorLabel_->hide();

    QStringList kinds;
    for (ModelKind k : config.kinds) kinds << QString::fromStdString(kindName(k));
    prepareChart(kinds);
    resuming_ = false;
    groupLabel_->clear();
    appendLog(tr("— starting '%1' (%2) on %3").arg(QString::fromStdString(config.name), kinds.join(" + "), dataDir));

    TrainingPaths paths;
    paths.dataDir = dataDir;
    paths.dbPath = paths_.dbPath;
    paths.checkpointDir = paths_.checkpointDir;
    paths.cacheDir = paths_.cacheDir;
    if (!worker_->start(config, paths)) return;
    setFormEnabled(false);
    setStateText(tr("Preparing data…"), QStringLiteral("#0072b2"));
    updateActions();
    Q_EMIT statusMessage(tr("Preparing data and tokenizer…"), 0);
    Q_EMIT progressChanged(0, 0);
    Q_EMIT trainingStateChanged(true, false);
}

void TrainView::resumeRun(qint64 runId) {
    if (isTraining()) {
        Q_EMIT statusMessage(tr("A training is already running; stop it first."), 6000);
        return;
    }
    QStringList kinds;
    try {
        RunStore store = RunStore::open(paths_.dbPath.toStdString());
        const RunRecord anchor = store.run(runId);
        for (const RunRecord& r : store.group(anchor.group)) kinds << QString::fromStdString(r.kind);
        groupLabel_->setText(QString::fromStdString(anchor.group));
    } catch (const std::exception& e) {
        errorLabel_->setText(QString::fromStdString(e.what()));
        errorLabel_->show();
        Q_EMIT statusMessage(tr("Cannot resume run %1").arg(runId), 6000);
        return;
    }
    errorLabel_->hide();
    prepareChart(kinds);
    resuming_ = true;
    appendLog(tr("— resuming run %1").arg(runId));
    TrainingPaths paths;  // dataDir empty: the folder recorded with the run
    paths.dbPath = paths_.dbPath;
    paths.checkpointDir = paths_.checkpointDir;
    paths.cacheDir = paths_.cacheDir;
    if (!worker_->resumeRun(runId, paths)) return;
    setFormEnabled(false);
    setStateText(tr("Resuming…"), QStringLiteral("#0072b2"));
    updateActions();
    Q_EMIT progressChanged(0, 0);
    Q_EMIT trainingStateChanged(true, false);
}

void TrainView::pause() {
    if (!isTraining()) return;
    worker_->pause();
    Q_EMIT statusMessage(tr("Paused after the current step"), 3000);
}

void TrainView::resume() {
    if (!isTraining()) return;
    worker_->resume();
    Q_EMIT statusMessage(tr("Training resumed"), 3000);
}

void TrainView::togglePause() {
    if (isPaused()) resume();
    else pause();
}

void TrainView::stop() {
    if (!isTraining()) return;
    worker_->stop();
    setStateText(tr("Stopping…"), QStringLiteral("#b26b00"));
    updateActions();
    Q_EMIT statusMessage(tr("Stopping after the current step…"), 0);
}

void TrainView::stopAndWait() {
    if (!isTraining()) return;
    worker_->stop();
    worker_->waitForThread(-1);
}

// ---------------------------------------------------------------------------------------- reporting

void TrainView::onRunsCreated(const QVector<qint64>& runIds, const QString& group) {
    groupLabel_->setText(tr("group %1 · runs %2").arg(group, [&] {
        QStringList ids;
        for (qint64 id : runIds) ids << QString::number(id);
        return ids.join(QStringLiteral(", "));
    }()));
    if (resuming_) loadHistory(runIds);
    setStateText(worker_->isPaused() ? tr("Paused") : tr("Training"), QStringLiteral("#0072b2"));
    Q_EMIT statusMessage(tr("Training %1").arg(group), 4000);
    Q_EMIT runsChanged();
}

void TrainView::loadHistory(const QVector<qint64>& runIds) {
    try {
        RunStore store = RunStore::open(paths_.dbPath.toStdString());
        for (qint64 id : runIds) {
            const QString kind = QString::fromStdString(store.run(id).kind);
            for (bool validation : {false, true}) {
                QVector<LossSample> samples;
                for (const MetricPoint& p : store.metrics(id, validation ? "val_loss" : "train_loss"))
                    samples.push_back({double(p.step), double(p.tokens), p.value});
                const QString name = seriesName(kind, validation);
                chart_->appendSamples(name, samples);
                if (!samples.isEmpty()) lastSeriesStep_[name] = samples.back().step;
            }
        }
    } catch (const std::exception& e) {
        appendLog(tr("could not load the earlier curves: %1").arg(QString::fromStdString(e.what())));
    }
}

void TrainView::onMetrics(const QVector<ModelMetrics>& updates) {
    QHash<QString, QVector<LossSample>> batches;
    QVector<double> lambdas;
    auto add = [&](const QString& name, const LossSample& sample) {
        // A resumed run re-logs steps after its checkpoint: drop the stale tail first (no zig-zag).
        auto last = lastSeriesStep_.find(name);
        if (last != lastSeriesStep_.end() && sample.step <= *last && !batches.contains(name))
            chart_->truncateAfterStep(name, sample.step - 1);
        batches[name].push_back(sample);
        lastSeriesStep_[name] = sample.step;
    };
    for (const ModelMetrics& u : updates) {
        const QString kind = QString::fromStdString(kindName(u.kind));
        add(seriesName(kind, false), {double(u.step), double(u.tokens), u.trainLoss});
        lastTrainLoss_[kind] = u.trainLoss;
        if (u.hasValidation) {
            add(seriesName(kind, true), {double(u.step), double(u.tokens), u.valLoss});
            lastValLoss_[kind] = u.valLoss;
        }
        if (!u.lambdas.empty()) lambdas = QVector<double>(u.lambdas.begin(), u.lambdas.end());
    }
    for (auto it = batches.cbegin(); it != batches.cend(); ++it) chart_->appendSamples(it.key(), it.value());

    if (!lambdas.isEmpty()) {
        if (lambdaTable_->rowCount() != lambdas.size()) {
            lambdaTable_->setRowCount(lambdas.size());
            for (int l = 0; l < lambdas.size(); ++l) {
                lambdaTable_->setItem(l, 0, new QTableWidgetItem(QString::number(l)));
                lambdaTable_->setItem(l, 1, new QTableWidgetItem());
                lambdaTable_->setItem(l, 2, new QTableWidgetItem(QString::number(lambdaInit(l), 'f', 3)));
                for (int c = 0; c < 3; ++c) lambdaTable_->item(l, c)->setTextAlignment(Qt::AlignCenter);
            }
        }
        for (int l = 0; l < lambdas.size(); ++l) lambdaTable_->item(l, 1)->setText(QString::number(lambdas[l], 'f', 4));
    }

    QStringList parts;
    for (const QString& kind : {QStringLiteral("standard"), QStringLiteral("diff")}) {
        if (!lastTrainLoss_.contains(kind)) continue;
        QString text = QStringLiteral("<span style='color:%1'>%2</span> %3")
                           .arg(modelColor(kind).name(), kind == QLatin1String("diff") ? QStringLiteral("DIFF")
                                                                                       : QStringLiteral("std"),
                                QString::number(lastTrainLoss_.value(kind), 'f', 3));
        if (lastValLoss_.contains(kind)) text += QStringLiteral(" / ") + QString::number(lastValLoss_.value(kind), 'f', 3);
        parts << text;
    }
    if (!parts.isEmpty()) lossValue_->setText(parts.join(QStringLiteral(" &nbsp; ")));
}

void TrainView::onProgress(const TrainingProgress& p) {
    lastStep_ = p.step;
    totalSteps_ = p.totalSteps;
    stepValue_->setText(QStringLiteral("%1 / %2").arg(QLocale().toString(p.step), QLocale().toString(p.totalSteps)));
    speedValue_->setText(formatRate(p.tokensPerSecond));
    elapsedValue_->setText(formatDuration(p.elapsedSeconds));
    etaValue_->setText(p.step >= p.totalSteps ? QStringLiteral("0:00") : formatDuration(p.etaSeconds));
    // QProgressBar takes ints: scale huge step counts down.
    const qint64 scale = std::max<qint64>(1, p.totalSteps / std::numeric_limits<int>::max() + 1);
    Q_EMIT progressChanged(static_cast<int>(p.step / scale), static_cast<int>(p.totalSteps / scale));
}

void TrainView::onFinished(RunStatus status, const QString& error) {
    setFormEnabled(true);
    validateForm();
    chart_->refreshNow();
    const QString at = lastStep_ > 0 ? tr(" at step %1 of %2").arg(lastStep_).arg(totalSteps_) : QString();
    QString message;
    if (status == RunStatus::Finished) {
        setStateText(tr("Finished"), QStringLiteral("#1b7837"));
        message = tr("Training finished%1").arg(at);
    } else if (status == RunStatus::Interrupted) {
        setStateText(tr("Stopped"), QStringLiteral("#b26b00"));
        message = tr("Training stopped%1; resume it from the Runs view").arg(at);
    } else if (status == RunStatus::Cancelled) {
        setStateText(tr("Cancelled"), QStringLiteral("#666666"));
        message = tr("Training cancelled%1").arg(at);
    } else {
        setStateText(tr("Failed"), QStringLiteral("#b2182b"));
        message = tr("Training failed%1: %2").arg(at, error.isEmpty() ? tr("unknown error") : error);
        errorLabel_->setText(message);
        errorLabel_->show();
    }
    appendLog(QStringLiteral("— ") + message);
    Q_EMIT statusMessage(message, 10000);
    Q_EMIT progressChanged(-1, -1);  // hides the progress bar
    Q_EMIT trainingStateChanged(false, false);
    Q_EMIT runsChanged();
}

void TrainView::appendLog(const QString& line) {
    // Core logs a preparation stage when it starts and again when it ends: mark the end on the same line.
    if (!line.isEmpty() && line == lastLogLine_) {
        if (!lastLogDone_) {
            QTextCursor cursor(log_->document()->lastBlock());
            cursor.movePosition(QTextCursor::EndOfBlock);
            cursor.insertText(tr(" … done"));
            lastLogDone_ = true;
        }
        return;
    }
    lastLogLine_ = line;
    lastLogDone_ = false;
    QScrollBar* bar = log_->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 2;
    log_->appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
    if (atEnd) bar->setValue(bar->maximum());
}

void TrainView::setStateText(const QString& text, const QString& color) {
    stateLabel_->setText(text);
    stateLabel_->setStyleSheet(color.isEmpty() ? QString() : QStringLiteral("color: %1;").arg(color));
}

}  // namespace needlescope
