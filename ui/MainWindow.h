#pragma once
// The workbench window: assembles the four views (Train, Inspect, Runs, Compare) in tabs and routes their
// signals; owns the menus and shortcuts, the status bar with the training progress, the settings and
// about dialogs, and the saved window geometry. No view logic lives here.
#include <QMainWindow>
#include <QVector>

#include "ui/settings/AppPaths.h"

QT_BEGIN_NAMESPACE
class QAction;
class QLabel;
class QProgressBar;
class QTabWidget;
QT_END_NAMESPACE

namespace needlescope {

class CompareView;
class InspectView;
class RunsView;
class TrainView;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    enum Tab { TrainTab = 0, InspectTab = 1, RunsTab = 2, CompareTab = 3 };

    explicit MainWindow(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);
    ~MainWindow() override;

    // The app icon from the resources (also used by main.cpp for the application).
    static QIcon appIcon();

    QTabWidget* tabs() const { return tabs_; }
    TrainView* trainView() const { return train_; }
    RunsView* runsView() const { return runs_; }
    InspectView* inspectView() const { return inspect_; }
    CompareView* compareView() const { return compare_; }
    QProgressBar* progressBar() const { return progress_; }
    const needlescope::app::AppPaths& paths() const { return paths_; }

  public Q_SLOTS:
    void showTab(int index);
    void showSettings();
    void showAbout();
    // Help: the keyboard shortcuts (page 0) or how to read the attention maps (page 1).
    void showHelp(int page);
    void exportRuns();
    void inspectRun(qint64 runId);
    void compareRuns(const QVector<qint64>& runIds);
    void resumeRun(qint64 runId);
    void refreshViews();

  protected:
    void closeEvent(QCloseEvent* event) override;

  public:
    // Every action that has a shortcut (what the Help's shortcut list shows).
    QList<QAction*> shortcutActions() const;

  private:
    void buildMenus();
    void onProgress(int step, int total);
    void showStatus(const QString& message, int timeoutMs);

    needlescope::app::AppPaths paths_;
    QTabWidget* tabs_ = nullptr;
    TrainView* train_ = nullptr;
    RunsView* runs_ = nullptr;
    InspectView* inspect_ = nullptr;
    CompareView* compare_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* storeLabel_ = nullptr;
};

}  // namespace needlescope
