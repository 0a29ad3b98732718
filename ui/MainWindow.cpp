#include "ui/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QIcon>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/dialogs/AboutDialog.h"
#include "ui/dialogs/HelpDialog.h"
#include "ui/dialogs/SettingsDialog.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/views/CompareView.h"
#include "ui/views/InspectView.h"
#include "ui/views/RunsView.h"
#include "ui/views/TrainView.h"

// Q_INIT_RESOURCE must be called from the global namespace.
static void initNeedlescopeResources() { Q_INIT_RESOURCE(needlescope); }

namespace needlescope {

QIcon MainWindow::appIcon() {
    initNeedlescopeResources();
    return QIcon(QStringLiteral(":/icons/needlescope.svg"));
}

MainWindow::MainWindow(const app::AppPaths& paths, QWidget* parent) : QMainWindow(parent), paths_(paths) {
    setWindowTitle(QStringLiteral("Needlescope"));
    setWindowIcon(appIcon());
    setObjectName(QStringLiteral("mainWindow"));

    train_ = new TrainView(paths_, this);
    runs_ = new RunsView(paths_, this);
    inspect_ = new InspectView(paths_, this);
    compare_ = new CompareView(paths_, this);

    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("viewTabs"));
    tabs_->setDocumentMode(true);
    tabs_->addTab(train_, tr("&Train"));
    tabs_->addTab(inspect_, tr("&Inspect"));
    tabs_->addTab(runs_, tr("&Runs"));
    tabs_->addTab(compare_, tr("&Compare"));
    for (int i = 0; i < tabs_->count(); ++i)
        tabs_->setTabToolTip(i, tr("%1 (Ctrl+%2)").arg(tabs_->tabText(i).remove('&')).arg(i + 1));
    setCentralWidget(tabs_);

    // Status bar: messages on the left, training progress and the store on the right.
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("trainingProgress"));
    progress_->setMaximumWidth(260);
    progress_->setMinimumWidth(180);
    progress_->setTextVisible(true);
    progress_->setFormat(tr("step %v / %m"));
    progress_->hide();
    storeLabel_ = new QLabel(this);
    storeLabel_->setText(tr("store: %1").arg(QDir::toNativeSeparators(paths_.dbPath)));
    storeLabel_->setToolTip(tr("Run store (change it in Settings or with --db)"));
    storeLabel_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(storeLabel_);

    // Routing.
    connect(train_, &TrainView::statusMessage, this, &MainWindow::showStatus);
    connect(train_, &TrainView::progressChanged, this, &MainWindow::onProgress);
    connect(train_, &TrainView::runsChanged, this, &MainWindow::refreshViews);
    connect(runs_, &RunsView::statusMessage, this, &MainWindow::showStatus);
    connect(inspect_, &InspectView::statusMessage, this, &MainWindow::showStatus);
    connect(compare_, &CompareView::statusMessage, this, &MainWindow::showStatus);
    connect(runs_, &RunsView::inspectRequested, this, &MainWindow::inspectRun);
    connect(runs_, &RunsView::compareRequested, this, &MainWindow::compareRuns);
    connect(runs_, &RunsView::resumeRequested, this, &MainWindow::resumeRun);
    connect(runs_, &RunsView::runsChanged, this, [this] {
        inspect_->refresh();
        compare_->refresh();
    });

    buildMenus();

    QSettings settings;
    if (!restoreGeometry(settings.value(app::kSettingWindowGeometry).toByteArray())) resize(1280, 800);
    restoreState(settings.value(app::kSettingWindowState).toByteArray());
    tabs_->setCurrentIndex(qBound(0, settings.value(app::kSettingWindowTab, 0).toInt(), tabs_->count() - 1));
    showStatus(tr("Ready"), 2000);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* settings = file->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settings->setMenuRole(QAction::PreferencesRole);
    QAction* exportAction = file->addAction(tr("&Export…"), this, &MainWindow::exportRuns);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setToolTip(
        tr("Export the runs selected in the Runs view, or in Compare the compared runs (CSV, JSON, PNG or "
           "SVG)"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &MainWindow::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    // The Train view's own actions: one QAction each, so a shortcut is never ambiguous.
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(train_->startAction());
    run->addAction(train_->pauseAction());  // one toggle: Pause, or Resume while paused (Ctrl+P)
    run->addAction(train_->stopAction());
    connect(train_->startAction(), &QAction::triggered, this, [this] { showTab(TrainTab); });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < tabs_->count(); ++i) {
        QAction* a = view->addAction(tabs_->tabText(i).remove('&'));
        a->setObjectName(QStringLiteral("showTab%1").arg(i + 1));
        a->setWhatsThis(tr("Show the %1 view").arg(tabs_->tabText(i).remove('&')));
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { showTab(i); });
    }
    view->addSeparator();
    QAction* refresh = view->addAction(tr("Re&load runs"), this, &MainWindow::refreshViews);
    refresh->setShortcut(QKeySequence::Refresh);
    refresh->setShortcutContext(Qt::ApplicationShortcut);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* keys =
        help->addAction(tr("&Keyboard Shortcuts"), this, [this] { showHelp(HelpDialog::ShortcutsPage); });
    keys->setObjectName(QStringLiteral("helpShortcuts"));
    keys->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    QAction* maps =
        help->addAction(tr("How to Read the &Maps"), this, [this] { showHelp(HelpDialog::MapsPage); });
    maps->setObjectName(QStringLiteral("helpMaps"));
    maps->setShortcut(QKeySequence::HelpContents);
    help->addSeparator();
    help->addAction(tr("&About Needlescope"), this, &MainWindow::showAbout)->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::showTab(int index) {
    if (index >= 0 && index < tabs_->count()) tabs_->setCurrentIndex(index);
}

void MainWindow::showStatus(const QString& message, int timeoutMs) {
    statusBar()->showMessage(message, timeoutMs);
}

void MainWindow::onProgress(int step, int total) {
    if (total < 0) {
        progress_->hide();
        return;
    }
    if (total == 0) {  // preparing: busy indicator
        progress_->setRange(0, 0);
        progress_->setFormat(tr("preparing…"));
    } else {
        progress_->setRange(0, total);
        progress_->setValue(qBound(0, step, total));
        progress_->setFormat(tr("step %v / %m"));
    }
    progress_->show();
}

void MainWindow::refreshViews() {
    runs_->refresh();
    train_->refresh();
    inspect_->refresh();
    compare_->refresh();
}

void MainWindow::inspectRun(qint64 runId) {
    inspect_->showRun(runId);
    showTab(InspectTab);
}

void MainWindow::compareRuns(const QVector<qint64>& runIds) {
    compare_->compareRuns(runIds);
    showTab(CompareTab);
}

void MainWindow::resumeRun(qint64 runId) {
    showTab(TrainTab);
    train_->resumeRun(runId);
}

void MainWindow::exportRuns() {
    if (tabs_->currentWidget() == compare_) {  // in Compare: the compared runs, not the Runs selection
        compare_->exportCompared();
        return;
    }
    showTab(RunsTab);
    if (runs_->selectedRunIds().isEmpty()) {
        showStatus(tr("Select the runs to export in the Runs view first"), 5000);
        return;
    }
    runs_->exportSelection();
}

void MainWindow::showSettings() {
    SettingsDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted) return;
    const QString db = QSettings().value(app::kSettingDbPath).toString();
    if (!db.isEmpty() && QDir::cleanPath(db) != QDir::cleanPath(paths_.dbPath))
        showStatus(tr("Settings saved; the new run store is used from the next start"), 8000);
    else
        showStatus(tr("Settings saved"), 3000);
    train_->refresh();
}

// Every action with a shortcut: the menus' in menu order, then the views' own (e.g. Inspect's).
QList<QAction*> MainWindow::shortcutActions() const {
    QList<QAction*> actions;
    for (QAction* menuAction : menuBar()->actions())
        if (QMenu* menu = menuAction->menu())
            for (QAction* a : menu->actions())
                if (!a->shortcut().isEmpty() && !actions.contains(a)) actions << a;
    for (QAction* a : findChildren<QAction*>())
        if (!a->shortcut().isEmpty() && !a->text().isEmpty() && !actions.contains(a)) actions << a;
    return actions;
}

void MainWindow::showHelp(int page) {
    HelpDialog dialog(shortcutActions(), this);
    dialog.showPage(HelpDialog::Page(page));
    dialog.exec();
}

void MainWindow::showAbout() {
    AboutDialog dialog(this);
    dialog.exec();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (train_->isTraining()) {
        const auto answer =
            QMessageBox::question(this, tr("Quit Needlescope"),
                                  tr("A training is running. Stop it now? It is checkpointed and can be "
                                     "resumed from the Runs view."),
                                  QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        showStatus(tr("Stopping the training…"), 0);
        train_->stopAndWait();
    }
    QSettings settings;
    settings.setValue(app::kSettingWindowGeometry, saveGeometry());
    settings.setValue(app::kSettingWindowState, saveState());
    settings.setValue(app::kSettingWindowTab, tabs_->currentIndex());
    event->accept();
}

}  // namespace needlescope
