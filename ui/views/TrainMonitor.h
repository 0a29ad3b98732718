#pragma once
// The Train view's right side: state and run group, read-outs (step, tokens/s, elapsed, ETA, last losses),
// the live loss chart of every model (train solid, validation dashed; its view options persist), λ per
// DIFF layer and the log pane. It shows what the training worker reports; it starts nothing.
#include <QColor>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include "ui/workers/TrainingWorker.h"

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
class QTableWidget;
QT_END_NAMESPACE

namespace needlescope {

class LossChartWidget;

class TrainMonitor : public QWidget {
    Q_OBJECT
  public:
    explicit TrainMonitor(QWidget* parent = nullptr);

    LossChartWidget* chart() const { return chart_; }
    // Empties the chart and read-outs for a new training of these model kinds ("standard", "diff").
    void reset(const QStringList& kinds);
    // Puts the stored curves of resumed runs on the chart (new steps then replace their stale tail).
    void loadHistory(const QString& dbPath, const QVector<qint64>& runIds);
    void showMetrics(const QVector<needlescope::ModelMetrics>& updates);
    void showProgress(const needlescope::TrainingProgress& progress);
    void setState(const QString& text, const QColor& color = QColor());
    // The training ended (finished, stopped, failed): nothing is left to estimate, the ETA shows "—".
    void trainingEnded();
    void setGroupText(const QString& text);
    void appendLog(const QString& line);
    qint64 lastStep() const { return lastStep_; }
    qint64 totalSteps() const { return totalSteps_; }

  private:
    QWidget* buildBottom(QWidget* parent);
    void restoreChartOptions();
    void saveChartOptions();
    void showLambdas(ModelKind kind, const QVector<double>& lambdas);
    static constexpr int kLambdaColumns = 4;  // layer, DIFF λ, λ init, V2 mean λ_t

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
    qint64 lastStep_ = 0;
    qint64 totalSteps_ = 0;
    QHash<QString, double> lastSeriesStep_;
    QHash<QString, double> lastTrainLoss_;
    QHash<QString, double> lastValLoss_;
};

}  // namespace needlescope
