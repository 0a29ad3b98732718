// The whole window at the two sizes the README shows besides 1280 × 800: 1024 × 640 (a small laptop) and
// 1920 × 1080. At each size the window really has that size (no tab's minimum forces it wider or
// taller), every view shows its content (Inspect a placement, Compare the curves, a fresh probe and the
// side-by-side maps), and a screenshot of each view lands in <build>/screenshots as
// window-<w>x<h>-<view>.png for the README (docs/screenshots/ holds the copies it shows).
#include <QApplication>
#include <QImage>
#include <QScrollArea>
#include <QSet>
#include <QTabWidget>
#include <QtTest/QtTest>

#include "Screenshot.h"
#include "core/util/BlasKernel.h"
#include "tests/gui/GuiSandbox.h"
#include "ui/MainWindow.h"
#include "ui/charts/DepthCurveChart.h"
#include "ui/views/CompareView.h"
#include "ui/views/InspectView.h"
#include "ui/views/ProbeNowBar.h"
#include "ui/views/RunsView.h"
#include "ui/workers/ProbeWorker.h"

using namespace needlescope;

namespace {

constexpr int kWait = 60000;

}  // namespace

class WindowSizesTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    app::AppPaths paths_;
    std::vector<int64_t> runIds_;

    // Grabs the window showing `tab` and checks the picture is the window at `size` with content in it.
    void shoot(MainWindow& window, int tab, const QSize& size, const QString& name) {
        window.showTab(tab);
        const QString file = QStringLiteral("window-%1x%2-%3").arg(size.width()).arg(size.height()).arg(name);
        const QString path = testsupport::saveScreenshot(&window, file, size);
        QVERIFY2(!path.isEmpty(), qPrintable("could not save " + file));
        const QImage image(path);
        QCOMPARE(image.size(), size);
        QVERIFY2(testsupport::distinctColours(image) > 20, qPrintable(file + " looks blank"));
    }

    void walkAllViews(const QSize& size) {
        MainWindow window(paths_);
        window.resize(size);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCoreApplication::processEvents();
        // A tab whose minimum size is larger would make Qt enlarge the window past the screen's size.
        QVERIFY2(window.minimumSizeHint().width() <= size.width() &&
                     window.minimumSizeHint().height() <= size.height(),
                 qPrintable(QStringLiteral("the window needs at least %1 x %2")
                                .arg(window.minimumSizeHint().width())
                                .arg(window.minimumSizeHint().height())));
        QCOMPARE(window.size(), size);

        shoot(window, MainWindow::TrainTab, size, QStringLiteral("train"));
        // The Train form has no horizontal scroll bar: its fields must get their minimum width, not be cut.
        const auto* form = window.findChild<QScrollArea*>(QStringLiteral("trainFormScroll"));
        QVERIFY(form && form->widget());
        QVERIFY2(form->widget()->width() >= form->widget()->minimumSizeHint().width(),
                 qPrintable(QStringLiteral("the Train form is %1 px wide, its fields need %2")
                                .arg(form->widget()->width())
                                .arg(form->widget()->minimumSizeHint().width())));

        window.showTab(MainWindow::InspectTab);
        window.inspectView()->showRun(runIds_[1]);  // the DIFF model
        QTRY_VERIFY_WITH_TIMEOUT(
            window.inspectView()->currentResult() && window.inspectView()->currentRunId() == runIds_[1],
            kWait);
        QVERIFY2(window.inspectView()->errorText().isEmpty(), qPrintable(window.inspectView()->errorText()));
        shoot(window, MainWindow::InspectTab, size, QStringLiteral("inspect"));

        window.runsView()->refresh();
        QCOMPARE(window.runsView()->visibleRunCount(), 2);
        shoot(window, MainWindow::RunsTab, size, QStringLiteral("runs"));

        CompareView* compare = window.compareView();
        window.showTab(MainWindow::CompareTab);
        compare->compareRuns({qint64(runIds_[0]), qint64(runIds_[1])});
        if (compare->depthChart()
                ->series()
                .isEmpty()) {  // the fixture is not probed: Probe now, as a user would
            QSignalSpy done(compare->probeBar()->worker(), &ProbeWorker::finished);
            compare->probeNow();
            QVERIFY(done.wait(kWait));
        }
        QTRY_VERIFY_WITH_TIMEOUT(!compare->depthChart()->series().isEmpty(), kWait);
        shoot(window, MainWindow::CompareTab, size, QStringLiteral("compare"));
    }

  private Q_SLOTS:
    void initTestCase() {
        const QString problem = sandbox_.initWithTrainedStore("test_view_window_sizes", &paths_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        runIds_ = testsupport::GuiSandbox::trainedRunIds(paths_);
        QCOMPARE(runIds_.size(), size_t(2));
    }

    void smallLaptop() { walkAllViews(QSize(1024, 640)); }
    void fullHd() { walkAllViews(QSize(1920, 1080)); }
};

// As the app does: passive OpenMP waits (a restart before QApplication), else probing crawls on busy cores.
int main(int argc, char** argv) {
    needlescope::prepareProcess(argv);
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    WindowSizesTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_view_window_sizes.moc"
