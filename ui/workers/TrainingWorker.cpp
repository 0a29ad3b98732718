#include "ui/workers/TrainingWorker.h"

#include <QDir>
#include <QThread>
#include <exception>
#include <string>

#include "core/probe/StudyRunner.h"
#include "core/probe/TrainingProbe.h"
#include "core/train/Experiment.h"
#include "core/train/SeedStudy.h"
#include "core/train/TrainingControl.h"
#include "core/train/TrainingSink.h"

namespace needlescope {

struct TrainingWorker::Job {
    TrainConfig config;
    TrainingPaths paths;
    qint64 resumeRunId = 0;  // > 0: resume that run's group
    StudyRequest study;      // seeds > 0: a study (train the seeds, probe, report)
    TrainingControl control;
    // Written by the training thread before it ends, read after QThread::finished.
    RunStatus status = RunStatus::Failed;  // until the experiment returns
    QString error;
};

// Lives on the training thread: log lines and run creation go out as queued signals at once; metrics
// and progress are queued in the worker and drained by the UI thread.
class TrainingWorker::Sink : public TrainingSink {
  public:
    explicit Sink(TrainingWorker* worker) : worker_(worker) {}

    void onLog(const std::string& line) override { Q_EMIT worker_->logLine(QString::fromStdString(line)); }

    void onRunsCreated(const std::vector<int64_t>& runIds, const std::string& group) override {
        QVector<qint64> ids;
        for (int64_t id : runIds) ids.push_back(id);
        Q_EMIT worker_->runsCreated(ids, QString::fromStdString(group));
    }

    void onMetrics(const ModelMetrics& m) override { worker_->post(&m, nullptr); }

    void onProgress(const TrainingProgress& p) override { worker_->post(nullptr, &p); }

  private:
    TrainingWorker* worker_;
};

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ModelMetrics>();
    qRegisterMetaType<TrainingProgress>();
    qRegisterMetaType<RunStatus>();
    qRegisterMetaType<QVector<ModelMetrics>>();
    qRegisterMetaType<QVector<qint64>>();
    connect(this, &TrainingWorker::runsCreated, this,
            [this](const QVector<qint64>& ids, const QString& group) {
                runIds_ = ids;
                group_ = group;
            });
}

TrainingWorker::~TrainingWorker() {
    if (thread_) {
        job_->control.stop();
        job_->control.resume();
        thread_->wait();
        delete thread_;
        thread_ = nullptr;
    }
}

bool TrainingWorker::start(const TrainConfig& config, const TrainingPaths& paths) {
    auto job = std::make_shared<Job>();
    job->config = config;
    job->paths = paths;
    return launch(std::move(job));
}

bool TrainingWorker::resumeRun(qint64 runId, const TrainingPaths& paths) {
    auto job = std::make_shared<Job>();
    job->paths = paths;
    job->resumeRunId = runId;
    return launch(std::move(job));
}

bool TrainingWorker::startStudy(const TrainConfig& config, const TrainingPaths& paths,
                                const StudyRequest& study) {
    auto job = std::make_shared<Job>();
    job->config = config;
    job->paths = paths;
    job->study = study;
    return launch(std::move(job));
}

namespace {

// The study's second half once its seeds are trained: probe every run on the same prompts, analyse, write
// the report. Returns Cancelled when stopped between runs (the probed rows stay in the store).
RunStatus reportStudy(const StudyRequest& study, const ExperimentPaths& paths, TrainingControl& control,
                      TrainingSink& sink) {
    const std::string name = study.name.toStdString();
    const std::string again = "needlescope-cli study --analyse " + name + " --samples " +
                              std::to_string(study.samples) + " --db " + paths.dbPath;
    sink.onLog("probing the study's runs on identical prompts (" + std::to_string(study.samples) +
               " per depth)…");
    RunStore store = RunStore::open(paths.dbPath);
    StudyProbeSettings settings;
    settings.samples = study.samples;
    settings.fallbackDataDir = [dir = paths.dataDir] { return dir; };
    StudyProgress progress;
    progress.log = [&sink](const std::string& line) { sink.onLog(line); };
    progress.cancelled = [&control] { return control.request() != TrainingControl::Request::None; };
    try {
        const StudyAnalysis analysis = probeStudy(store, name, settings, progress);
        writeStudyReport(study.reportDir.toStdString(), analysis, name, again);
    } catch (const StudyCancelled&) {
        sink.onLog("the study's report was not written; write it later with: " + again);
        return RunStatus::Cancelled;
    }
    sink.onLog("study report: " + QDir(study.reportDir).filePath("study.md").toStdString() +
               " (the same as `" + again + " --out " + study.reportDir.toStdString() + "`)");
    return RunStatus::Finished;
}

}  // namespace

bool TrainingWorker::launch(std::shared_ptr<Job> job) {
    if (busy_ || thread_) return false;
    job_ = job;
    busy_ = true;
    paused_ = false;
    stopping_ = false;
    runIds_.clear();
    group_.clear();

    thread_ = QThread::create([this, job] {
        Sink sink(this);
        try {
            ExperimentPaths paths;
            paths.dataDir = job->paths.dataDir.toStdString();
            paths.dbPath = job->paths.dbPath.toStdString();
            paths.checkpointDir = job->paths.checkpointDir.toStdString();
            paths.cacheDir = job->paths.cacheDir.toStdString();
            // The small needle probe every probe_every steps, stored with the run (as the CLI does).
            TrainingProbeSettings probe;
            probe.dbPath = paths.dbPath;
            probe.dataDir = paths.dataDir;
            ExperimentHooks hooks =
                makeTrainingProbeHooks(probe, [&sink](const std::string& line) { sink.onLog(line); });
            if (job->study.seeds > 0) {
                const SeedStudyResult trained =
                    trainSeeds(job->config, job->study.seeds, job->study.name.toStdString(), paths, &sink,
                               &job->control, hooks);
                job->status = trained.status == RunStatus::Finished
                                  ? reportStudy(job->study, paths, job->control, sink)
                                  : trained.status;
                return;
            }
            Experiment experiment(job->config, paths, &sink, &job->control, hooks);
            job->status = job->resumeRunId > 0 ? experiment.resume(job->resumeRunId) : experiment.run();
        } catch (const std::exception& e) {
            job->status = RunStatus::Failed;
            job->error = QString::fromStdString(e.what());
        } catch (...) {
            job->status = RunStatus::Failed;
            job->error = QStringLiteral("unknown error in the training thread");
        }
    });
    thread_->setObjectName(QStringLiteral("needlescope-training"));
    connect(thread_, &QThread::finished, this, &TrainingWorker::onThreadFinished, Qt::QueuedConnection);
    thread_->start(QThread::LowPriority);
    Q_EMIT started();
    return true;
}

void TrainingWorker::post(const ModelMetrics* metrics, const TrainingProgress* progress) {
    bool postDrain = false;
    {
        QMutexLocker lock(&pendingMutex_);
        if (metrics) pendingMetrics_.push_back(*metrics);
        if (progress) {
            pendingProgress_ = *progress;
            hasPendingProgress_ = true;
        }
        postDrain = !drainPosted_;
        drainPosted_ = true;
    }
    if (postDrain) QMetaObject::invokeMethod(this, &TrainingWorker::drain, Qt::QueuedConnection);
}

void TrainingWorker::drain() {
    QVector<ModelMetrics> metrics;
    TrainingProgress progress;
    bool hasProgress = false;
    {
        QMutexLocker lock(&pendingMutex_);
        metrics.swap(pendingMetrics_);
        progress = pendingProgress_;
        hasProgress = hasPendingProgress_;
        hasPendingProgress_ = false;
        drainPosted_ = false;
    }
    if (!metrics.isEmpty()) Q_EMIT metricsReady(metrics);
    if (hasProgress) Q_EMIT this->progress(progress);
}

void TrainingWorker::onThreadFinished() {
    if (!thread_) return;
    thread_->wait();
    drain();  // anything posted after the last drain
    thread_->deleteLater();
    thread_ = nullptr;
    const RunStatus status = job_->status;
    const QString error = job_->error;
    busy_ = false;
    stopping_ = false;
    if (paused_) {
        paused_ = false;
        Q_EMIT pausedChanged(false);
    }
    Q_EMIT finished(status, error);
}

bool TrainingWorker::waitForThread(int milliseconds) {
    if (!thread_) return true;
    return thread_->wait(QDeadlineTimer(milliseconds));
}

void TrainingWorker::pause() {
    if (!busy_ || paused_ || stopping_) return;
    job_->control.pause();
    paused_ = true;
    Q_EMIT pausedChanged(true);
}

void TrainingWorker::resume() {
    if (!busy_ || !paused_) return;
    job_->control.resume();
    paused_ = false;
    Q_EMIT pausedChanged(false);
}

void TrainingWorker::stop() {
    if (!busy_) return;
    stopping_ = true;
    job_->control.stop();  // wakes a paused loop too
}

void TrainingWorker::cancel() {
    if (!busy_) return;
    stopping_ = true;
    job_->control.cancel();
}

}  // namespace needlescope
