// Screenshots for the README and for looking at (1280×800): the Train view after a short `tiny` run
// started from the UI, the Runs view over the stored runs, and the main window. Files land in
// <build>/screenshots (or $NEEDLESCOPE_SCREENSHOT_DIR). Runs offscreen and under
//   xvfb-run -a -s "-screen 0 1280x800x24" ./test_view_screenshots -platform xcb
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "Screenshot.h"
#include "core/store/RunStore.h"
#include "core/util/BlasKernel.h"
#include "tests/TestSupport.h"
#include "tests/gui/GuiSandbox.h"
#include "ui/MainWindow.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/dialogs/AboutDialog.h"
#include "ui/dialogs/SettingsDialog.h"
#include "ui/views/RunsTableModel.h"
#include "ui/views/RunsView.h"
#include "ui/views/TrainView.h"
#include "ui/workers/TrainingWorker.h"

using namespace needlescope;

namespace {

// Starts `steps` tiny steps from the Train view's own controls and waits for the end.
bool trainFromView(TrainView& view, const QString& corpus, int steps) {
    view.setDataFolder(corpus);
    view.findChild<QComboBox*>("presetCombo")->setCurrentText("tiny");
    view.findChild<QSpinBox*>("stepsSpin")->setValue(steps);
    QSignalSpy finished(view.worker(), &TrainingWorker::finished);
    view.start();
    if (!view.isTraining()) return false;
    return finished.wait(90000) && finished.at(0).at(0).value<RunStatus>() == RunStatus::Finished;
}

}  // namespace

class ScreenshotTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    QString corpus_;
    app::AppPaths paths_;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem = sandbox_.init("test_view_screenshots");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        corpus_ = sandbox_.corpus();
        paths_ = sandbox_.emptyStore("store", QString());  // the data folder is chosen in the views
    }

    void trainView() {
        TrainView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(trainFromView(view, corpus_, 150));
        QCOMPARE(view.chart()->pointCount("diff train"), 150);
        QVERIFY(view.chart()->pointCount("standard val") >= 15);
        view.chart()->refreshNow();
        const QString path = testsupport::saveScreenshot(&view, "train-view");
        QVERIFY2(!path.isEmpty(), "could not save the screenshot");
        const QImage image(path);
        QCOMPARE(image.size(), QSize(1280, 800));
        QVERIFY(testsupport::distinctColours(image) > 20);
        qInfo("saved %s", qPrintable(path));
    }

    void runsView() {
        {
            RunStore store = RunStore::open(paths_.dbPath.toStdString());
            const auto runs = store.runs();
            QVERIFY(!runs.empty());
            for (const RunRecord& r : runs)
                store.setTags(r.id, {"tiny", r.kind == "diff" ? "diff" : "baseline"});
            store.setNotes(runs.front().id,
                           "Screenshot run: 150 tiny steps on a 300 kB slice of WikiText-2.\n"
                           "Both models saw the very same batches.");
        }
        RunsView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.refresh();
        QVERIFY(view.visibleRunCount() >= 2);
        view.selectRuns({view.model()->rows().front().id});
        const QString path = testsupport::saveScreenshot(&view, "runs-view");
        QVERIFY2(!path.isEmpty(), "could not save the screenshot");
        QCOMPARE(QImage(path).size(), QSize(1280, 800));
        qInfo("saved %s", qPrintable(path));
    }

    void mainWindow() {
        MainWindow window(paths_);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showTab(MainWindow::TrainTab);
        QVERIFY(trainFromView(*window.trainView(), corpus_, 80));
        window.trainView()->chart()->refreshNow();
        const QString path = testsupport::saveScreenshot(&window, "main-window");
        QVERIFY2(!path.isEmpty(), "could not save the screenshot");
        QCOMPARE(QImage(path).size(), QSize(1280, 800));
        window.showTab(MainWindow::RunsTab);
        const QString runs = testsupport::saveScreenshot(&window, "main-window-runs");
        QVERIFY(!runs.isEmpty());
        qInfo("saved %s and %s", qPrintable(path), qPrintable(runs));
    }

    void dialogs() {
        SettingsDialog settings;
        settings.setDataFolder(corpus_);
        settings.show();
        QVERIFY(QTest::qWaitForWindowExposed(&settings));
        QTest::qWait(50);  // the dialog fits its height to the wrapped corpus description
        QVERIFY(!testsupport::saveScreenshot(&settings, "settings-dialog", settings.size()).isEmpty());
        AboutDialog about;
        about.show();
        QVERIFY(QTest::qWaitForWindowExposed(&about));
        QVERIFY(!testsupport::saveScreenshot(&about, "about-dialog", about.size()).isEmpty());
    }
};

// As the app does: passive OpenMP waits (a restart before QApplication), else training crawls on busy cores.
int main(int argc, char** argv) {
    needlescope::prepareProcess(argv);
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    ScreenshotTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_view_screenshots.moc"
