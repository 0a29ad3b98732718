#include "ui/views/TrainView.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/model/ModelConfig.h"
#include "core/store/RunStore.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/style/Palette.h"
#include "ui/views/TrainConfigForm.h"
#include "ui/views/TrainMonitor.h"

namespace needlescope {

namespace {

struct RunTrainConfig {
    TrainConfig config;
    QString dataRoot;
};

// The config a stored run was trained with (nothing when its JSON cannot be read: the form then keeps
// its values, the resume itself reports the problem).
std::optional<RunTrainConfig> runTrainConfig(const RunRecord& run) {
    try {
        const auto json = nlohmann::json::parse(run.configJson);
        RunTrainConfig out{json.at("train").get<TrainConfig>(), QString()};
        if (json.contains("data") && json.at("data").contains("root"))
            out.dataRoot = QString::fromStdString(json.at("data").at("root").get<std::string>());
        return out;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

TrainView::TrainView(const app::AppPaths& paths, QWidget* parent) : QWidget(parent), paths_(paths) {
    worker_ = new TrainingWorker(this);
    createActions();
    monitor_ = new TrainMonitor(this);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(buildControls());
    splitter->addWidget(monitor_);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({380, 900});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(splitter);

    connect(form_, &TrainConfigForm::validated, this, &TrainView::updateActions);
    connect(worker_, &TrainingWorker::logLine, monitor_, &TrainMonitor::appendLog);
    connect(worker_, &TrainingWorker::runsCreated, this, &TrainView::onRunsCreated);
    connect(worker_, &TrainingWorker::metricsReady, monitor_, &TrainMonitor::showMetrics);
    connect(worker_, &TrainingWorker::progress, this, &TrainView::onProgress);
    connect(worker_, &TrainingWorker::finished, this, &TrainView::onFinished);
    connect(worker_, &TrainingWorker::pausedChanged, this, [this](bool paused) {
        updateActions();
        if (paused)
            monitor_->setState(tr("Paused"), warningColor());
        else if (worker_->isBusy())
            monitor_->setState(tr("Training"), activeColor());
        Q_EMIT trainingStateChanged(worker_->isBusy(), paused);
    });
    updateActions();
}

TrainView::~TrainView() {
    // The worker's destructor stops the experiment (runs stay resumable) and waits for its thread.
    delete worker_;
    worker_ = nullptr;
}

void TrainView::createActions() {
    startAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Start"), this);
    startAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    startAction_->setWhatsThis(tr("Start training"));
    startAction_->setToolTip(tr("Start training the configured experiment (Ctrl+R)"));
    // One toggle for Pause and Resume, so Ctrl+P is never two actions; updateActions() relabels it.
    pauseAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
    pauseAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    pauseAction_->setWhatsThis(tr("Pause or resume training (one toggle)"));
    stopAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("S&top"), this);
    stopAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    stopAction_->setWhatsThis(tr("Stop training (checkpointed; resume it from Runs)"));
    stopAction_->setToolTip(
        tr("Stop after the current step and checkpoint; the run can be resumed from Runs (Ctrl+.)"));
    for (QAction* a : {startAction_, pauseAction_, stopAction_}) {
        a->setShortcutContext(Qt::WindowShortcut);
        addAction(a);  // works when the view is its own window (tests) too
    }
    connect(startAction_, &QAction::triggered, this, &TrainView::start);
    connect(pauseAction_, &QAction::triggered, this, &TrainView::togglePause);
    connect(stopAction_, &QAction::triggered, this, &TrainView::stop);
}

// The form with a row of Start / Pause (Resume) / Stop buttons under it.
QWidget* TrainView::buildControls() {
    auto* left = new QWidget(this);
    left->setMinimumWidth(350);
    auto* layout = new QVBoxLayout(left);
    layout->setContentsMargins(0, 0, 0, 0);
    form_ = new TrainConfigForm(paths_, left);
    layout->addWidget(form_, 1);
    auto* buttons = new QGridLayout();
    buttons->setSpacing(4);
    int column = 0;
    for (QAction* a : {startAction_, pauseAction_, stopAction_}) {
        auto* b = new QToolButton(left);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        b->setObjectName(a->text().remove('&').toLower() + QStringLiteral("Button"));
        buttons->addWidget(b, 0, column++);
    }
    auto* seedsRow = new QHBoxLayout();
    auto* seedsLabel = new QLabel(tr("Seeds"), left);
    seedsSpin_ = new QSpinBox(left);
    seedsSpin_->setObjectName(QStringLiteral("seedsSpin"));
    seedsSpin_->setRange(1, 64);
    seedsSpin_->setValue(1);
    seedsSpin_->setToolTip(
        tr("1: one experiment. K > 1: a study — K experiments with seeds base … base + K − 1 (same batches "
           "and shared initial weights within a seed), then every run probed on identical prompts and the "
           "report (study.md, .csv, .json with 95 % intervals and the paired tests) written next to the run "
           "store. 6 or more seeds let the sign-flip test reach p < 0.05."));
    seedsLabel->setBuddy(seedsSpin_);
    seedsRow->addWidget(seedsLabel);
    seedsRow->addWidget(seedsSpin_);
    seedsRow->addStretch(1);
    layout->addLayout(seedsRow);
    layout->addLayout(buttons);
    return left;
}

TrainConfig TrainView::currentConfig(QString* error) const { return form_->config(error); }
void TrainView::selectPreset(const QString& name) { form_->selectPreset(name); }
void TrainView::setDataFolder(const QString& path) { form_->setDataFolder(path); }
QString TrainView::dataFolder() const { return form_->dataFolder(); }
QString TrainView::validationMessage() const { return form_->validationMessage(); }
LossChartWidget* TrainView::chart() const { return monitor_->chart(); }
bool TrainView::isTraining() const { return worker_ && worker_->isBusy(); }
bool TrainView::isPaused() const { return worker_ && worker_->isPaused(); }

void TrainView::updateActions() {
    const bool busy = worker_ && worker_->isBusy();
    const bool paused = busy && worker_->isPaused();
    const bool stopping = busy && worker_->isStopping();
    startAction_->setEnabled(!busy && form_->validationMessage().isEmpty());
    if (seedsSpin_) seedsSpin_->setEnabled(!busy);
    pauseAction_->setEnabled(busy && !stopping);
    if (paused) {
        pauseAction_->setText(tr("&Resume"));
        pauseAction_->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
        pauseAction_->setToolTip(tr("Continue the paused training (Ctrl+P toggles pause and resume)"));
    } else {
        pauseAction_->setText(tr("&Pause"));
        pauseAction_->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
        pauseAction_->setToolTip(tr("Pause after the current step (Ctrl+P toggles pause and resume)"));
    }
    stopAction_->setEnabled(busy && !stopping);
}

void TrainView::refresh() {
    if (!isTraining()) form_->applySettings();
    updateActions();
}

// ------------------------------------------------------------------------------------------ control

TrainingPaths TrainView::trainingPaths(const QString& dataDir) const {
    TrainingPaths paths;
    paths.dataDir = dataDir;
    paths.dbPath = paths_.dbPath;
    paths.checkpointDir = paths_.checkpointDir;
    paths.cacheDir = paths_.cacheDir;
    return paths;
}

// The worker has taken the job: lock the form and show the busy state.
void TrainView::began(const QString& state) {
    form_->setEditable(false);
    monitor_->setState(state, activeColor());
    updateActions();
    Q_EMIT progressChanged(0, 0);
    Q_EMIT trainingStateChanged(true, false);
}

void TrainView::start() {
    if (isTraining()) return;
    QString error;
    const TrainConfig config = currentConfig(&error);
    if (!error.isEmpty()) {
        form_->showError(tr("Config: %1").arg(error));
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
        }
    } catch (const std::exception& e) {
        form_->showError(QString::fromStdString(e.what()));
        Q_EMIT statusMessage(tr("Cannot start: no corpus found"), 6000);
        return;
    }
    // A clear message now rather than from the worker (a folder may have changed since it was checked).
    if (const app::DataCheck check = app::checkTrainingData(dataDir); !check.usable) {
        form_->showError(tr("Data: %1").arg(check.text));
        Q_EMIT statusMessage(tr("Cannot start: the data folder cannot be trained on"), 6000);
        return;
    }
    QSettings().setValue(app::kSettingTrainLastDataDir, dataDir);
    form_->hideError();

    QStringList kinds;
    for (ModelKind k : config.kinds) kinds << QString::fromStdString(kindName(k));
    kinds_ = kinds;
    monitor_->reset(kinds);
    resuming_ = false;
    monitor_->setGroupText(QString());
    study_ = StudyRequest{};
    studySeed_ = 0;
    if (seedsSpin_->value() > 1) {
        study_.seeds = seedsSpin_->value();
        study_.name = QString::fromStdString(config.name) + QStringLiteral("-study-") +
                      QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        study_.reportDir =
            QFileInfo(paths_.dbPath).absoluteDir().filePath(QStringLiteral("studies/") + study_.name);
        monitor_->appendLog(
            tr("— starting study '%1': %2 seeds of '%3' (%4) on %5; report in %6")
                .arg(study_.name)
                .arg(study_.seeds)
                .arg(QString::fromStdString(config.name), kinds.join(" + "), dataDir, study_.reportDir));
        if (!worker_->startStudy(config, trainingPaths(dataDir), study_)) return;
    } else {
        monitor_->appendLog(tr("— starting '%1' (%2) on %3")
                                .arg(QString::fromStdString(config.name), kinds.join(" + "), dataDir));
        if (!worker_->start(config, trainingPaths(dataDir))) return;
    }
    Q_EMIT statusMessage(tr("Preparing data and tokenizer…"), 0);
    began(tr("Preparing data…"));
}

void TrainView::resumeRun(qint64 runId) {
    if (isTraining()) {
        Q_EMIT statusMessage(tr("A training is already running; stop it first."), 6000);
        return;
    }
    QStringList kinds;
    std::optional<RunTrainConfig> runConfig;
    try {
        RunStore store = RunStore::open(paths_.dbPath.toStdString());
        const RunRecord anchor = store.run(runId);
        for (const RunRecord& r : store.group(anchor.group)) kinds << QString::fromStdString(r.kind);
        monitor_->setGroupText(QString::fromStdString(anchor.group));
        runConfig = runTrainConfig(anchor);
    } catch (const std::exception& e) {
        form_->showError(QString::fromStdString(e.what()));
        Q_EMIT statusMessage(tr("Cannot resume run %1").arg(runId), 6000);
        return;
    }
    form_->hideError();
    monitor_->reset(kinds);
    resuming_ = true;
    monitor_->appendLog(tr("— resuming run %1").arg(runId));
    if (!worker_->resumeRun(runId, trainingPaths(QString()))) return;  // no data folder: the run's own
    // The locked form shows what trains: the run's own config, not the preset's (given back at the end).
    if (runConfig) form_->showRunConfig(runConfig->config, runConfig->dataRoot);
    began(tr("Resuming…"));
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
    if (isPaused())
        resume();
    else
        pause();
}

void TrainView::stop() {
    if (!isTraining()) return;
    worker_->stop();
    monitor_->setState(tr("Stopping…"), warningColor());
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
    QStringList ids;
    for (qint64 id : runIds) ids << QString::number(id);
    if (study_.seeds > 0) {  // a study's next seed: its own curves from step 0
        if (studySeed_ > 0) monitor_->reset(kinds_);
        ++studySeed_;
        monitor_->appendLog(tr("— seed %1 of %2").arg(studySeed_).arg(study_.seeds));
        monitor_->setGroupText(tr("study %1 · seed %2 of %3 · runs %4")
                                   .arg(study_.name)
                                   .arg(studySeed_)
                                   .arg(study_.seeds)
                                   .arg(ids.join(QStringLiteral(", "))));
    } else {
        monitor_->setGroupText(tr("group %1 · runs %2").arg(group, ids.join(QStringLiteral(", "))));
    }
    if (resuming_) monitor_->loadHistory(paths_.dbPath, runIds);
    monitor_->setState(worker_->isPaused() ? tr("Paused") : tr("Training"), activeColor());
    Q_EMIT statusMessage(tr("Training %1").arg(group), 4000);
    Q_EMIT runsChanged();
}

void TrainView::onProgress(const TrainingProgress& p) {
    monitor_->showProgress(p);
    // QProgressBar takes ints: scale huge step counts down.
    const qint64 scale = std::max<qint64>(1, p.totalSteps / std::numeric_limits<int>::max() + 1);
    Q_EMIT progressChanged(static_cast<int>(p.step / scale), static_cast<int>(p.totalSteps / scale));
}

void TrainView::onFinished(RunStatus status, const QString& error) {
    form_->restoreEdits();  // after a resume: the user's own values again
    form_->setEditable(true);
    form_->validate();
    monitor_->trainingEnded();
    chart()->refreshNow();
    // A stop or cancel before the first step leaves no run behind (core creates none, or removes them).
    const bool nothingTrained = worker_->runIds().isEmpty() || monitor_->lastStep() == 0;
    const qint64 step = monitor_->lastStep();
    const QString at = step > 0 ? tr(" at step %1 of %2").arg(step).arg(monitor_->totalSteps()) : QString();
    QString message;
    if (status == RunStatus::Finished && study_.seeds > 0) {
        monitor_->setState(tr("Finished"), successColor());
        message = tr("Study finished: %1 seeds; report in %2")
                      .arg(study_.seeds)
                      .arg(QDir(study_.reportDir).filePath(QStringLiteral("study.md")));
    } else if (status == RunStatus::Finished) {
        monitor_->setState(tr("Finished"), successColor());
        message = tr("Training finished%1").arg(at);
    } else if ((status == RunStatus::Interrupted || status == RunStatus::Cancelled) && nothingTrained &&
               !resuming_) {
        monitor_->setState(tr("Stopped"), mutedColor());
        message = tr("Stopped before the first step; no run was saved");
    } else if (status == RunStatus::Interrupted) {
        monitor_->setState(tr("Stopped"), warningColor());
        message = tr("Training stopped%1; resume it from the Runs view").arg(at);
    } else if (status == RunStatus::Cancelled) {
        monitor_->setState(tr("Cancelled"), mutedColor());
        message = tr("Training cancelled%1").arg(at);
    } else {
        monitor_->setState(tr("Failed"), errorColor());
        message = tr("Training failed%1: %2").arg(at, error.isEmpty() ? tr("unknown error") : error);
        form_->showError(message);
    }
    monitor_->appendLog(QStringLiteral("— ") + message);
    Q_EMIT statusMessage(message, 10000);
    Q_EMIT progressChanged(-1, -1);  // hides the progress bar
    Q_EMIT trainingStateChanged(false, false);
    Q_EMIT runsChanged();
}

}  // namespace needlescope
