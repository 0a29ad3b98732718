#pragma once
// The Runs view: the saved runs as a sortable table over the store (filter box, group-by combo, config
// columns shown or hidden from the header's context menu, inline tags, notes in a side panel), delete
// with confirmation, export of the selection (metrics CSV, run JSON, PNG/SVG loss curves), Inspect /
// Compare selected / Resume buttons, "Probe now" (the needle probe of the selected runs and their pairs,
// in the background with progress and Cancel) and a context menu on the table with all of these.
// Refreshes itself when the store changes. Actions live in RunsViewActions.cpp.
#include <QString>
#include <QVector>
#include <QWidget>
#include <memory>

#include "ui/settings/AppPaths.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPushButton;
class QTableView;
class QTimer;
class QToolButton;
QT_END_NAMESPACE

namespace needlescope {

class ProbeNowBar;
class RunDetailsPanel;
class RunStore;
class RunsSortProxy;
class RunsTable;
class RunsTableModel;
class StoreWatcher;

class RunsView : public QWidget {
    Q_OBJECT
  public:
    explicit RunsView(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);
    ~RunsView() override;

    QVector<qint64> selectedRunIds() const;  // in table order
    void selectRuns(const QVector<qint64>& runIds);
    void setFilterText(const QString& text);  // applied at once (no typing delay)
    int visibleRunCount() const;
    RunsTableModel* model() const { return model_; }
    RunsSortProxy* proxy() const { return proxy_; }
    QTableView* table() const;
    ProbeNowBar* probeBar() const { return probeBar_; }
    QComboBox* groupByCombo() const { return groupCombo_; }
    // The table's context menu for the current selection (Edit tags…, Edit note…, Inspect, Compare,
    // Probe now, Export, Delete…), owned by the caller.
    QMenu* makeContextMenu(QWidget* parent);
    // The runs "Probe now" probes: the selected runs with every run of their groups (a paired run's
    // models are probed together, with the same prompts), in id order.
    QVector<qint64> probeTargets() const;
    // The last store error shown in the view (empty when none).
    QString errorText() const;

    // Writes the selected runs to `path`, by suffix: .csv (metrics), .json (run records), .png / .svg
    // (their loss curves). `error` gets the reason on failure.
    bool exportSelectionTo(const QString& path, QString* error = nullptr);

  public Q_SLOTS:
    void refresh();
    void exportSelection();     // asks for a file, then exportSelectionTo()
    void deleteSelectedRuns();  // asks for confirmation
    void inspectSelected();
    void compareSelected();
    void resumeSelected();
    void probeSelected();       // "Probe now"
    void editTagsOfSelected();  // opens the inline tag editor of the current run
    void editNoteOfSelected();  // asks for the note of the one selected run and saves it
    void saveNotes();
    void setGroupColumn(int column);  // -1: no grouping (saved in the settings)

  Q_SIGNALS:
    void inspectRequested(qint64 runId);
    void compareRequested(const QVector<qint64>& runIds);
    void resumeRequested(qint64 runId);
    void runsChanged();
    void statusMessage(const QString& message, int timeoutMs);

  protected:
    void showEvent(QShowEvent* event) override;

  private:
    RunStore* store();
    void showError(const QString& message);
    void updateButtons();
    void updateDetails();
    void writeTags(qint64 runId, const QStringList& tags);
    QVector<qint64> compareTargets() const;
    void exportWithDialog(const QString& suffix);
    void addExportActions(QMenu* menu);
    void buildActions();

    needlescope::app::AppPaths paths_;
    std::unique_ptr<RunStore> store_;
    RunsTableModel* model_ = nullptr;
    RunsSortProxy* proxy_ = nullptr;
    RunsTable* table_ = nullptr;
    QLineEdit* filterEdit_ = nullptr;
    QComboBox* groupCombo_ = nullptr;
    QLabel* countLabel_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    RunDetailsPanel* details_ = nullptr;
    QPushButton* inspectButton_ = nullptr;
    QPushButton* compareButton_ = nullptr;
    QPushButton* resumeButton_ = nullptr;
    QPushButton* probeButton_ = nullptr;
    ProbeNowBar* probeBar_ = nullptr;
    QToolButton* exportButton_ = nullptr;
    QPushButton* deleteButton_ = nullptr;
    QTimer* filterTimer_ = nullptr;
    QTimer* watchTimer_ = nullptr;
    StoreWatcher* watcher_ = nullptr;
    bool dirty_ = true;
};

}  // namespace needlescope
