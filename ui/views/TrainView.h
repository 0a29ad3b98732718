#pragma once
// The Train view: the config form (preset, fields, data folder) beside the training monitor (loss curves
// of both models, tokens/s, elapsed, ETA, λ per DIFF layer, log), with Start / Pause / Resume / Stop.
// Training runs in a TrainingWorker thread; the view never blocks.
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include "core/train/TrainConfig.h"
#include "ui/settings/AppPaths.h"
#include "ui/workers/TrainingWorker.h"

QT_BEGIN_NAMESPACE
class QAction;
class QSpinBox;
QT_END_NAMESPACE

namespace needlescope {

class LossChartWidget;
class TrainConfigForm;
class TrainMonitor;

class TrainView : public QWidget {
    Q_OBJECT
  public:
    explicit TrainView(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);
    ~TrainView() override;

    // The config the form describes (the selected preset with the form's values on top); `error` gets
    // the validation message (empty when valid).
    TrainConfig currentConfig(QString* error = nullptr) const;
    void selectPreset(const QString& name);
    void setDataFolder(const QString& path);
    QString dataFolder() const;
    QString validationMessage() const;

    bool isTraining() const;
    bool isPaused() const;
    TrainingWorker* worker() const { return worker_; }
    LossChartWidget* chart() const;

    // Start (Ctrl+R), Pause / Resume (one toggle, Ctrl+P: it reads "Resume" while paused), Stop (Ctrl+.):
    // the main window puts these very actions into its Run menu.
    QAction* startAction() const { return startAction_; }
    QAction* pauseAction() const { return pauseAction_; }
    QAction* stopAction() const { return stopAction_; }

  public Q_SLOTS:
    void refresh();
    void start();
    void pause();
    void resume();
    void togglePause();
    void stop();
    // Continues an interrupted run (and its paired runs) from their last common checkpoint.
    void resumeRun(qint64 runId);
    // Stops a running experiment and waits for it (used when the window closes).
    void stopAndWait();

  Q_SIGNALS:
    void runsChanged();
    void statusMessage(const QString& message, int timeoutMs);
    // total 0: busy (preparing data); total < 0: idle (hide the progress bar).
    void progressChanged(int step, int total);
    void trainingStateChanged(bool running, bool paused);

  private:
    void createActions();
    QWidget* buildControls();
    void updateActions();
    TrainingPaths trainingPaths(const QString& dataDir) const;
    void began(const QString& state);

    void onRunsCreated(const QVector<qint64>& runIds, const QString& group);
    void onProgress(const needlescope::TrainingProgress& progress);
    void onFinished(needlescope::RunStatus status, const QString& error);

    needlescope::app::AppPaths paths_;
    TrainingWorker* worker_ = nullptr;
    TrainConfigForm* form_ = nullptr;
    TrainMonitor* monitor_ = nullptr;
    bool resuming_ = false;
    QSpinBox* seedsSpin_ = nullptr;  // 1: one experiment; K > 1: a study of K seeds with its report
    StudyRequest study_;             // the study being trained (seeds 0 when none)
    int studySeed_ = 0;              // seeds of the study whose runs exist so far
    QStringList kinds_;              // the model kinds being trained

    QAction* startAction_ = nullptr;
    QAction* pauseAction_ = nullptr;  // Pause while training, Resume while paused
    QAction* stopAction_ = nullptr;
};

}  // namespace needlescope
