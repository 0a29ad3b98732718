#pragma once
// The Inspect view (DESIGN §7): pick a run and checkpoint, place the needle with the depth and context
// sliders, read the layers × heads grid of answer attention, the selected head's map (query rows × keys;
// signed DIFF maps on a diverging scale, A1 / A2 / effective, λ), the token strip, the bucket bars and the
// greedy answer. Placements are computed by an InspectWorker; the window never waits for them.
#include <QHash>
#include <QVector>
#include <QWidget>
#include <memory>

#include "core/probe/Inspection.h"
#include "ui/settings/AppPaths.h"
#include "ui/workers/InspectWorker.h"

QT_BEGIN_NAMESPACE
class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSlider;
class QStackedWidget;
class QTimer;
class QToolButton;
QT_END_NAMESPACE

namespace needlescope {

class BucketBarsWidget;
class HeadGridWidget;
class HeatmapWidget;
class InspectHeadPanel;
class InspectOverviewPanel;
class NeedleControls;
class TokenStripWidget;

class InspectView : public QWidget {
    Q_OBJECT
  public:
    explicit InspectView(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);
    ~InspectView() override;

    qint64 currentRunId() const;
    std::shared_ptr<const InspectionResult> currentResult() const { return result_; }
    int selectedLayer() const { return layer_; }
    int selectedHead() const { return head_; }
    MapKind mapKind() const { return mapKind_; }
    void setMapKind(MapKind kind);
    void selectHead(int layer, int head);

    // The parts, for tests and the main window.
    QComboBox* runPicker() const { return runCombo_; }
    QComboBox* checkpointPicker() const { return checkpointCombo_; }
    NeedleControls* needleControls() const { return controls_; }
    QSlider* depthSlider() const;
    QSlider* contextSlider() const;
    QCheckBox* symLogBox() const { return symLogBox_; }
    QLineEdit* needleEdit() const;
    QLineEdit* questionEdit() const;
    HeadGridWidget* headGrid() const;
    HeatmapWidget* heatmap() const;
    TokenStripWidget* tokenStrip() const { return tokenStrip_; }
    TokenStripWidget* lambdaStrip() const { return lambdaStrip_; }  // DIFF V2: λ per token, under the tokens
    BucketBarsWidget* bucketBars() const;
    InspectOverviewPanel* overview() const { return overview_; }
    InspectHeadPanel* headPanel() const { return headPanel_; }
    QWidget* emptyPage() const;  // shown instead of the results (no run, no checkpoint, too short)
    QString emptyText() const;   // what it says
    InspectWorker* worker() const { return worker_; }
    QString errorText() const;

  public Q_SLOTS:
    void refresh();
    void showRun(qint64 runId);

  Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);

  private:
    void buildUi();
    void loadRun();
    void schedule();
    void sendRequest();
    void onFinished(const InspectOutcome& outcome);
    void showResult();
    void updateHeadGrid();
    void updateHeatmap();
    void updateStrip();
    void updateBars();
    void updateLabels();
    void showError(const QString& message);
    void announce(const QString& status);  // the status-bar line for `status`, once
    void showTooShort(const QString& message);
    bool inspectable(const RunSource& source) const;
    int newestInspectable() const;
    Normalisation bucketNorm() const;

    app::AppPaths paths_;
    InspectWorker* worker_ = nullptr;
    QTimer* coalesce_ = nullptr;

    QComboBox* runCombo_ = nullptr;
    QComboBox* checkpointCombo_ = nullptr;
    QComboBox* normCombo_ = nullptr;
    QButtonGroup* mapGroup_ = nullptr;
    QToolButton* mapButtons_[3] = {nullptr, nullptr, nullptr};
    QCheckBox* allRowsBox_ = nullptr;
    QCheckBox* symLogBox_ = nullptr;
    NeedleControls* controls_ = nullptr;
    QStackedWidget* stack_ = nullptr;
    QLabel* emptyLabel_ = nullptr;
    InspectOverviewPanel* overview_ = nullptr;
    InspectHeadPanel* headPanel_ = nullptr;
    TokenStripWidget* tokenStrip_ = nullptr;
    TokenStripWidget* lambdaStrip_ = nullptr;
    QLabel* placementLabel_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QLabel* busyLabel_ = nullptr;

    QVector<RunSource> runs_;
    RunSource source_;
    bool haveSource_ = false;
    bool firstResultForRun_ = true;
    std::shared_ptr<const InspectionResult> result_;
    int layer_ = -1, head_ = -1;
    qint64 rowPosition_ = -1;  // the selected query row's token position; −1 = the query row
    MapKind mapKind_ = MapKind::Effective;
    QHash<qint64, QString> tooShort_;  // runs whose model cannot hold a needle task, with the reason
    bool userRun_ = false;             // the user (or showRun) chose the run: never switch on our own
    bool userCheckpoint_ = false;      // the user chose an older checkpoint: keep it when new ones arrive
    QString lastStatus_;               // the last status-bar message, so it is not repeated
    quint64 sentId_ = 0;
    qint64 sentRun_ = 0;
};

}  // namespace needlescope
