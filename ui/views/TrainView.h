#pragma once
// The Train view: preset picker and editable config, data folder, Start / Pause / Resume / Stop, live
// loss curves of both models (train solid, validation dashed), tokens/s, elapsed, ETA, λ per DIFF layer
// and a log pane. Training runs in a TrainingWorker thread; the view never blocks.
#include <QColor>
#include <QHash>
#include <QString>
#include <QVector>
#include <QWidget>

#include "app/common/AppPaths.h"
#include "core/train/TrainConfig.h"
#include "ui/workers/TrainingWorker.h"

QT_BEGIN_NAMESPACE
class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QToolButton;
QT_END_NAMESPACE

namespace needlescope {

class LossChartWidget;

class TrainView : public QWidget {
    Q_OBJECT
public:
    explicit TrainView(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);
    ~TrainView() override;

    // One colour per model kind, shared by every chart of the app ("standard", "diff").
    static QColor modelColor(const QString& kind);
    // "standard train", "diff val", … — the chart's series names.
    static QString seriesName(const QString& kind, bool validation);

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
    LossChartWidget* chart() const { return chart_; }

    // Start (Ctrl+R), Pause (Ctrl+P), Resume (Ctrl+P while paused), Stop (Ctrl+.): the main window
    // puts these very actions into its Run menu.
    QAction* startAction() const { return startAction_; }
    QAction* pauseAction() const { return pauseAction_; }
    QAction* resumeAction() const { return resumeAction_; }
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
    void buildUi();
    QWidget* buildForm();
    QWidget* buildMonitor();
    void fillForm(const TrainConfig& config);
    void validateForm();
    void checkDataFolder();
    void updateActions();
    void prepareChart(const QStringList& kinds);
    void loadHistory(const QVector<qint64>& runIds);
    void setFormEnabled(bool enabled);
    void appendLog(const QString& line);
    void setStateText(const QString& text, const QString& color = QString());

    void onRunsCreated(const QVector<qint64>& runIds, const QString& group);
    void onMetrics(const QVector<needlescope::ModelMetrics>& updates);
    void onProgress(const needlescope::TrainingProgress& progress);
    void onFinished(needlescope::RunStatus status, const QString& error);

    needlescope::app::AppPaths paths_;
    TrainConfig preset_;
    TrainingWorker* worker_ = nullptr;
    bool resuming_ = false;
    qint64 lastStep_ = 0;
    qint64 totalSteps_ = 0;
    QHash<QString, double> lastSeriesStep_;

    // Form.
    QWidget* form_ = nullptr;
    QComboBox* presetCombo_ = nullptr;
    QCheckBox* standardBox_ = nullptr;
    QCheckBox* diffBox_ = nullptr;
    QSpinBox* dModelSpin_ = nullptr;
    QSpinBox* headsSpin_ = nullptr;
    QSpinBox* layersSpin_ = nullptr;
    QSpinBox* contextSpin_ = nullptr;
    QSpinBox* batchSpin_ = nullptr;
    QSpinBox* stepsSpin_ = nullptr;
    QDoubleSpinBox* epochsSpin_ = nullptr;
    QLineEdit* lrEdit_ = nullptr;
    QSpinBox* warmupSpin_ = nullptr;
    QSpinBox* evalEverySpin_ = nullptr;
    QSpinBox* checkpointEverySpin_ = nullptr;
    QSpinBox* probeEverySpin_ = nullptr;
    QDoubleSpinBox* curriculumSpin_ = nullptr;
    QSpinBox* vocabSpin_ = nullptr;
    QSpinBox* threadsSpin_ = nullptr;
    QLineEdit* dataEdit_ = nullptr;
    QPushButton* browseButton_ = nullptr;
    QLabel* dataInfo_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QString validation_;

    // Controls.
    QAction* startAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* resumeAction_ = nullptr;
    QAction* stopAction_ = nullptr;

    // Monitor.
    QLabel* stateLabel_ = nullptr;
    QLabel* groupLabel_ = nullptr;
    QLabel* stepValue_ = nullptr;
    QLabel* speedValue_ = nullptr;
    QLabel* elapsedValue_ = nullptr;
    QLabel* etaValue_ = nullptr;
    QLabel* lossValue_ = nullptr;
    LossChartWidget* chart_ = nullptr;
    QTableWidget* lambdaTable_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
    QString lastLogLine_;
    bool lastLogDone_ = false;
    QHash<QString, double> lastTrainLoss_;
    QHash<QString, double> lastValLoss_;
};

}  // namespace needlescope
