// The main window: four view tabs, menus with their shortcuts, Ctrl+1..4 switching tabs, the status
// bar progress, routing from the Runs view, saved geometry, and the settings and about dialogs.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest/QtTest>

#include "core/store/RunStore.h"
#include "core/util/BlasKernel.h"
#include "tests/TestSupport.h"
#include "tests/gui/GuiSandbox.h"
#include "ui/MainWindow.h"
#include "ui/dialogs/AboutDialog.h"
#include "ui/dialogs/HelpDialog.h"
#include "ui/dialogs/SettingsDialog.h"
#include "ui/settings/AppPaths.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/views/RunsTableModel.h"
#include "ui/views/RunsView.h"
#include "ui/views/TrainView.h"
#include "ui/workers/TrainingWorker.h"

using namespace needlescope;

namespace {

QAction* findAction(QMenuBar* bar, const QString& menuTitle, const QString& actionText) {
    for (QAction* m : bar->actions()) {
        if (m->text().remove('&') != menuTitle || !m->menu()) continue;
        for (QAction* a : m->menu()->actions())
            if (a->text().remove('&').startsWith(actionText)) return a;
    }
    return nullptr;
}

}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    QString corpus_;
    app::AppPaths empty_, paired_;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem =
            sandbox_.initWithTrainedAndEmptyStores("test_main_window", &corpus_, &empty_, &paired_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void hasFourTabsAndAnIcon() {
        MainWindow window(empty_);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTabWidget* tabs = window.tabs();
        QCOMPARE(tabs->count(), 4);
        QStringList names;
        for (int i = 0; i < tabs->count(); ++i) names << tabs->tabText(i).remove('&');
        QCOMPARE(names, (QStringList{"Train", "Inspect", "Runs", "Compare"}));
        QCOMPARE(tabs->widget(MainWindow::TrainTab), static_cast<QWidget*>(window.trainView()));
        QCOMPARE(tabs->widget(MainWindow::RunsTab), static_cast<QWidget*>(window.runsView()));
        QVERIFY(!window.windowIcon().isNull());
        QVERIFY(!MainWindow::appIcon().pixmap(64, 64).isNull());  // the SVG from the resources renders
        QCOMPARE(window.runsView()->visibleRunCount(), 0);
    }

    void menusCarryTheShortcuts() {
        MainWindow window(empty_);
        QMenuBar* bar = window.menuBar();
        struct Expect {
            const char* menu;
            const char* action;
            QKeySequence keys;
        };
        const Expect expected[] = {
            {"File", "Settings", QKeySequence(Qt::CTRL | Qt::Key_Comma)},
            {"File", "Export", QKeySequence(Qt::CTRL | Qt::Key_E)},
            {"File", "Quit", QKeySequence(Qt::CTRL | Qt::Key_Q)},
            {"Run", "Start", QKeySequence(Qt::CTRL | Qt::Key_R)},
            {"Run", "Pause", QKeySequence(Qt::CTRL | Qt::Key_P)},
            {"Run", "Stop", QKeySequence(Qt::CTRL | Qt::Key_Period)},
            {"View", "Train", QKeySequence(Qt::CTRL | Qt::Key_1)},
            {"View", "Inspect", QKeySequence(Qt::CTRL | Qt::Key_2)},
            {"View", "Runs", QKeySequence(Qt::CTRL | Qt::Key_3)},
            {"View", "Compare", QKeySequence(Qt::CTRL | Qt::Key_4)},
            {"Help", "About Needlescope", QKeySequence()},
        };
        for (const Expect& e : expected) {
            QAction* a = findAction(bar, e.menu, e.action);
            QVERIFY2(a, qPrintable(QString("%1 > %2").arg(e.menu, e.action)));
            QCOMPARE(a->shortcut(), e.keys);
        }
        // The Run menu holds the Train view's own actions (no ambiguous duplicate shortcuts).
        QCOMPARE(findAction(bar, "Run", "Start"), window.trainView()->startAction());
        QCOMPARE(findAction(bar, "Run", "Stop"), window.trainView()->stopAction());
        // Pause and Resume are one toggle: exactly one action in the window answers Ctrl+P.
        QCOMPARE(findAction(bar, "Run", "Pause"), window.trainView()->pauseAction());
        int ctrlP = 0;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_P))) ++ctrlP;
        QCOMPARE(ctrlP, 1);
        QVERIFY(window.trainView()->pauseAction()->toolTip().contains("toggles"));
    }

    void shortcutsSwitchTabs() {
        MainWindow window(empty_);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        const int keys[] = {Qt::Key_3, Qt::Key_4, Qt::Key_2, Qt::Key_1};
        const int expected[] = {MainWindow::RunsTab, MainWindow::CompareTab, MainWindow::InspectTab,
                                MainWindow::TrainTab};
        for (int i = 0; i < 4; ++i) {
            QTest::keyClick(&window, Qt::Key(keys[i]), Qt::ControlModifier);
            QCOMPARE(window.tabs()->currentIndex(), expected[i]);
        }
    }

    void showsAndRoutesAPairedRun() {
        MainWindow window(paired_);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        for (int i = 0; i < 4; ++i) {
            window.showTab(i);
            QCOMPARE(window.tabs()->currentIndex(), i);
            QTest::qWait(20);
        }
        RunsView* runs = window.runsView();
        QCOMPARE(runs->visibleRunCount(), 2);
        const qint64 id = runs->model()->rows().front().id;
        // Inspect routes to the Inspect tab, Compare to the Compare tab.
        Q_EMIT runs->inspectRequested(id);
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::InspectTab));
        QVector<qint64> ids;
        for (const RunRow& r : runs->model()->rows()) ids << r.id;
        Q_EMIT runs->compareRequested(ids);
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::CompareTab));
        // Resume of a finished run: the Train tab shows and the error is a message, not a crash.
        Q_EMIT runs->resumeRequested(id);
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::TrainTab));
        QTRY_VERIFY_WITH_TIMEOUT(!window.trainView()->isTraining(), 10000);
    }

    void statusBarShowsTrainingProgress() {
        MainWindow window(empty_);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QProgressBar* bar = window.progressBar();
        QVERIFY(bar->isHidden());
        Q_EMIT window.trainView()->progressChanged(0, 0);
        QVERIFY(bar->isVisible());
        QCOMPARE(bar->maximum(), 0);  // busy while preparing data
        Q_EMIT window.trainView()->progressChanged(12, 30);
        QCOMPARE(bar->maximum(), 30);
        QCOMPARE(bar->value(), 12);
        Q_EMIT window.trainView()->statusMessage("hello from Train", 0);
        QCOMPARE(window.statusBar()->currentMessage(), QString("hello from Train"));
        Q_EMIT window.trainView()->progressChanged(-1, -1);
        QVERIFY(bar->isHidden());
    }

    void remembersItsGeometry() {
        {
            MainWindow window(empty_);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(1100, 700);
            window.showTab(MainWindow::RunsTab);
            QTest::qWait(50);
            QVERIFY(window.close());
        }
        QVERIFY(!QSettings().value("window/geometry").toByteArray().isEmpty());
        MainWindow again(empty_);
        QCOMPARE(again.tabs()->currentIndex(), int(MainWindow::RunsTab));
        QCOMPARE(again.size(), QSize(1100, 700));
    }

    // Issue 12 point 10: the README's folders (~/.local/share/Needlescope/, ~/.cache/Needlescope/), the
    // same settings file as before, and the earlier …/Needlescope/Needlescope/ folders still read.
    void appFoldersAreTheDocumentedOnesAndOldOnesAreStillRead() {
        const QString org = QCoreApplication::organizationName();
        const QString domain = QCoreApplication::organizationDomain();
        const QString name = QCoreApplication::applicationName();
        const QString data = qEnvironmentVariable("XDG_DATA_HOME");
        const QString cache = qEnvironmentVariable("XDG_CACHE_HOME");
        const QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
        auto restore = qScopeGuard([&] {
            QCoreApplication::setOrganizationName(org);
            QCoreApplication::setOrganizationDomain(domain);
            QCoreApplication::setApplicationName(name);
            qputenv("XDG_DATA_HOME", data.toLocal8Bit());
            qputenv("XDG_CACHE_HOME", cache.toLocal8Bit());
            qputenv("XDG_CONFIG_HOME", config.toLocal8Bit());
        });
        const QDir home(QDir(sandbox_.root()).filePath("home"));
        qputenv("XDG_DATA_HOME", home.filePath("share").toLocal8Bit());
        qputenv("XDG_CACHE_HOME", home.filePath("cache").toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", home.filePath("config").toLocal8Bit());
        app::setApplicationNames();

        // The settings file did not move (QSettings takes the organisation domain).
        // (QSettings reads XDG_CONFIG_HOME once per process: the sandbox's config folder.)
        QCOMPARE(QSettings().fileName(), QDir(config).filePath("Needlescope/Needlescope.conf"));
        QCOMPARE(QSettings().status(), QSettings::NoError);
        QSettings().remove(app::kSettingDbPath);

        // A fresh user: the documented folders.
        app::AppPaths fresh = app::resolveAppPaths(QString(), QString(), false);
        QCOMPARE(fresh.dbPath, home.filePath("share/Needlescope/runs.db"));
        QCOMPARE(fresh.checkpointDir, home.filePath("share/Needlescope/checkpoints"));
        QCOMPARE(fresh.cacheDir, home.filePath("cache/Needlescope"));
        QCOMPARE(app::defaultDataDir(), home.filePath("share/Needlescope/data"));

        // A user of an earlier version: store, checkpoints, data and cache are read where they are.
        const QString legacy = home.filePath("share/Needlescope/Needlescope");
        QVERIFY(QDir().mkpath(legacy + "/checkpoints") && QDir().mkpath(legacy + "/data"));
        QVERIFY(QDir().mkpath(home.filePath("cache/Needlescope/Needlescope")));
        { RunStore::open((legacy + "/runs.db").toStdString()); }
        app::AppPaths old = app::resolveAppPaths(QString(), QString(), false);
        QCOMPARE(old.dbPath, legacy + "/runs.db");
        QCOMPARE(old.checkpointDir, legacy + "/checkpoints");
        QCOMPARE(old.cacheDir, home.filePath("cache/Needlescope/Needlescope"));
        QCOMPARE(app::defaultDataDir(), legacy + "/data");
        // Once the documented folder holds a store, it wins.
        QVERIFY(QDir().mkpath(home.filePath("share/Needlescope")));
        { RunStore::open(home.filePath("share/Needlescope/runs.db").toStdString()); }
        QCOMPARE(app::resolveAppPaths(QString(), QString(), false).dbPath,
                 home.filePath("share/Needlescope/runs.db"));
    }

    // The Help menu: a shortcut list read from the actions themselves, and the page on reading the maps.
    void helpListsShortcutsAndExplainsTheMaps() {
        MainWindow window(empty_);
        QAction* keys = findAction(window.menuBar(), "Help", "Keyboard Shortcuts");
        QAction* maps = findAction(window.menuBar(), "Help", "How to Read the Maps");
        QVERIFY(keys && maps);
        QCOMPARE(maps->shortcut(), QKeySequence(QKeySequence::HelpContents));

        HelpDialog dialog(window.shortcutActions());
        QTableWidget* table = dialog.shortcutsTable();
        QStringList rows;
        for (int r = 0; r < table->rowCount(); ++r)
            rows << table->item(r, 0)->text() + " = " + table->item(r, 1)->text();
        const QString list = rows.join('\n');
        for (const QString& expected :
             {QKeySequence(Qt::CTRL | Qt::Key_R).toString(QKeySequence::NativeText) + " = Start training",
              QKeySequence(Qt::CTRL | Qt::Key_P).toString(QKeySequence::NativeText) +
                  " = Pause or resume training (one toggle)",
              QKeySequence(Qt::CTRL | Qt::Key_Period).toString(QKeySequence::NativeText) +
                  " = Stop training (checkpointed; resume it from Runs)",
              QKeySequence(Qt::CTRL | Qt::Key_2).toString(QKeySequence::NativeText) +
                  " = Show the Inspect view",
              QKeySequence(Qt::CTRL | Qt::Key_Comma).toString(QKeySequence::NativeText) + " = Settings"})
            QVERIFY2(rows.contains(expected), qPrintable(expected + " not in\n" + list));
        // Ctrl+P appears once: one toggle.
        const QString ctrlP = QKeySequence(Qt::CTRL | Qt::Key_P).toString(QKeySequence::NativeText) + " = ";
        QCOMPARE(rows.filter(QRegularExpression("^" + QRegularExpression::escape(ctrlP))).size(), 1);

        const QString page = dialog.mapsPage()->toPlainText();
        for (const char* term : {"row", "column", "A1 − λ·A2", "negative", "1 − λ", "answer", "noise", "sink",
                                 "λ_init = 0.8 − 0.6·exp(−0.3·l)"})
            QVERIFY2(page.contains(QString::fromUtf8(term)), term);
        dialog.showPage(HelpDialog::MapsPage);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.mapsPage()->isVisible());
    }

    void settingsAndAboutDialogs() {
        SettingsDialog settings;
        settings.setDataFolder(corpus_);
        settings.setThreads(2);
        settings.setDbPath(QDir(sandbox_.root()).filePath("elsewhere/runs.db"));
        settings.save();
        QSettings s;
        QCOMPARE(s.value(app::kSettingDataDir).toString(), corpus_);
        QCOMPARE(s.value(app::kSettingThreads).toInt(), 2);
        QCOMPARE(s.value(app::kSettingDbPath).toString(),
                 QDir(sandbox_.root()).filePath("elsewhere/runs.db"));
        // The search order now finds the setting; the resolved store follows it.
        const app::AppPaths paths = app::resolveAppPaths(QString(), QString());
        QCOMPARE(paths.dbPath, QDir(sandbox_.root()).filePath("elsewhere/runs.db"));
        QCOMPARE(QDir::cleanPath(paths.locateData()), QDir::cleanPath(corpus_));
        SettingsDialog reopened;
        QCOMPARE(reopened.threads(), 2);
        QCOMPARE(reopened.dataFolder(), corpus_);
        settings.setDataFolder(QString());
        settings.setDbPath(QString());
        settings.setThreads(0);
        settings.save();
        QVERIFY(!QSettings().contains(app::kSettingDbPath));

        const QString versions = AboutDialog::versionText();
        QVERIFY2(versions.contains("Qt " + QString::fromLatin1(qVersion())), qPrintable(versions));
        QVERIFY(versions.contains("LibTorch 1.") || versions.contains("LibTorch 2."));
        QVERIFY(versions.contains("BLAS"));
        QVERIFY(versions.contains("Threads"));
        AboutDialog about;
        about.show();
        QVERIFY(QTest::qWaitForWindowExposed(&about));
        QVERIFY(about.findChild<QLabel*>("versions"));
    }
};

// As the app does: passive OpenMP waits (a restart before QApplication), else training crawls on busy cores.
int main(int argc, char** argv) {
    needlescope::prepareProcess(argv);
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    MainWindowTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_main_window.moc"
