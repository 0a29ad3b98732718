#pragma once
// Runs one paired training experiment (new or resumed) on a background QThread and reports it with
// queued signals carrying the trainer's own plain data (ModelMetrics, TrainingProgress). Owns the core
// Experiment and its TrainingControl; pause, resume, stop and cancel are thread-safe and take effect
// between training steps.
//
//   TrainingWorker worker;
//   connect(&worker, &TrainingWorker::metricsReady, chart, ...);
//   worker.start(config, paths);   // returns at once; data preparation happens in the worker too
//   worker.stop();                 // checkpoint, mark the runs interrupted (resumable); finished() follows
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QVector>
#include <memory>

#include "core/train/TrainConfig.h"
#include "core/train/TrainingSink.h"

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace needlescope {

// Where an experiment reads and writes (plain Qt strings; ExperimentPaths lives beside LibTorch).
struct TrainingPaths {
    QString dataDir;  // a corpus folder or file; empty when resuming = the folder recorded in the run
    QString dbPath;
    QString checkpointDir;
    QString cacheDir;
};

// A study from the Train view: `seeds` paired runs (seed base … base + seeds − 1) tagged study:<name>, then
// every run probed on identical prompts and the report (study.md, .csv, .json) written to `reportDir`.
struct StudyRequest {
    int seeds = 0;  // 0: a plain experiment, no study
    QString name;
    QString reportDir;
    int samples = 20;  // probe prompts per depth
};

class TrainingWorker : public QObject {
    Q_OBJECT
  public:
    explicit TrainingWorker(QObject* parent = nullptr);
    // Stops a running experiment (its runs stay resumable) and waits for the thread.
    ~TrainingWorker() override;

    // Both return false (and do nothing) while an experiment is still running.
    bool start(const TrainConfig& config, const TrainingPaths& paths);
    bool resumeRun(qint64 runId, const TrainingPaths& paths);
    bool startStudy(const TrainConfig& config, const TrainingPaths& paths, const StudyRequest& study);

    bool isBusy() const { return busy_; }
    bool isPaused() const { return paused_; }
    bool isStopping() const { return stopping_; }
    QVector<qint64> runIds() const { return runIds_; }
    QString group() const { return group_; }

    // Waits (processing no events) until the thread has ended; true when it has.
    bool waitForThread(int milliseconds);

  public Q_SLOTS:
    void pause();
    void resume();
    void stop();    // finish the step, checkpoint, status Interrupted
    void cancel();  // finish the step, status Cancelled

  Q_SIGNALS:
    void started();
    void logLine(const QString& line);
    void runsCreated(const QVector<qint64>& runIds, const QString& group);
    // Batched: whatever arrived since the UI thread last drained (every update, in order).
    void metricsReady(const QVector<needlescope::ModelMetrics>& updates);
    void progress(const needlescope::TrainingProgress& progress);
    void pausedChanged(bool paused);
    // status: Finished, Interrupted, Cancelled or Failed (then `error` says why).
    void finished(needlescope::RunStatus status, const QString& error);

  private:
    struct Job;
    class Sink;
    bool launch(std::shared_ptr<Job> job);
    void onThreadFinished();
    // Training thread: queue an update; the UI thread drains the queue (one posted drain at a time), so
    // a busy UI gets bigger batches instead of a flood of events, and nothing waits for a timer.
    void post(const ModelMetrics* metrics, const TrainingProgress* progress);
    void drain();

    QMutex pendingMutex_;
    QVector<ModelMetrics> pendingMetrics_;
    TrainingProgress pendingProgress_;
    bool hasPendingProgress_ = false;
    bool drainPosted_ = false;

    std::shared_ptr<Job> job_;
    QThread* thread_ = nullptr;
    bool busy_ = false;
    bool paused_ = false;
    bool stopping_ = false;
    QVector<qint64> runIds_;
    QString group_;
};

}  // namespace needlescope

Q_DECLARE_METATYPE(needlescope::ModelMetrics)
Q_DECLARE_METATYPE(needlescope::TrainingProgress)
Q_DECLARE_METATYPE(needlescope::RunStatus)
