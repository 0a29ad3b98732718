// "Probe now" after training: the ProbeWorker probes a stored paired run in the background and stores
// its rows only when every run is done (a cancel or an error stores nothing), errors are clear messages,
// and the Compare view's depth figure shows the new probe once it is stored.
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest/QtTest>

#include "core/store/RunStore.h"
#include "core/util/BlasKernel.h"
#include "tests/gui/GuiSandbox.h"
#include "tests/gui/Screenshot.h"
#include "ui/charts/DepthCurveChart.h"
#include "ui/views/CompareView.h"
#include "ui/views/ProbeNowBar.h"
#include "ui/workers/ProbeWorker.h"

using namespace needlescope;

namespace {

// The smallest honest grid: both ends of the haystack, one sample each.
ProbeSettings smallGrid() {
    ProbeSettings s;
    s.depths = {0, 100};
    s.samples = 1;
    return s;
}

ProbeJobResult waitForResult(QSignalSpy& spy) {
    if (spy.isEmpty() && !spy.wait(120000)) return {};
    return spy.isEmpty() ? ProbeJobResult() : spy.takeFirst().at(0).value<ProbeJobResult>();
}

size_t probeRowCount(const app::AppPaths& paths, qint64 runId) {
    return RunStore::open(paths.dbPath.toStdString(), true).probeRows(runId).size();
}

}  // namespace

class ProbeNowTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    app::AppPaths paths_;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem = sandbox_.initWithTrainedStore("test_gui_probe_now", &paths_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void probesBothModelsOfThePairedRunAndStoresThem() {
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("probe-both", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto ids = testsupport::GuiSandbox::trainedRunIds(paths);
        QCOMPARE(int(ids.size()), 2);
        for (int64_t id : ids) QCOMPARE(probeRowCount(paths, id), size_t(0));  // tiny probes nothing

        ProbeWorker worker;
        QSignalSpy finished(&worker, &ProbeWorker::finished);
        QSignalSpy progress(&worker, &ProbeWorker::progress);
        QVERIFY(worker.start(paths, {ids[0], ids[1]}, smallGrid()));
        QVERIFY(worker.isBusy());
        QVERIFY(!worker.start(paths, {ids[0]}, smallGrid()));  // one job at a time
        const ProbeJobResult result = waitForResult(finished);
        QVERIFY2(result.ok, qPrintable(result.error));
        QVERIFY(!worker.isBusy());
        QCOMPARE(result.steps, (QVector<qint64>{30, 30}));  // the latest checkpoint of each
        QVERIFY(result.storedRows > 0);
        // Progress counted every prompt of both runs: 2 runs x 2 depths x 1 sample.
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), qint64(4));
        QCOMPARE(progress.last().at(1).toLongLong(), qint64(4));
        const RunStore store = RunStore::open(paths.dbPath.toStdString(), true);
        qint64 stored = 0;
        for (int64_t id : ids) {
            const auto rows = store.probeRows(id);
            QVERIFY(!rows.empty());
            stored += qint64(rows.size());
            for (const ProbeRow& r : rows) {
                QCOMPARE(r.step, int64_t(30));
                QVERIFY(r.depth == 0 || r.depth == 100);
                QCOMPARE(r.sample, int64_t(0));
            }
        }
        QCOMPARE(stored, result.storedRows);
    }

    void cancelStoresNothing() {
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("probe-cancel", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto ids = testsupport::GuiSandbox::trainedRunIds(paths);
        ProbeWorker worker;
        QSignalSpy finished(&worker, &ProbeWorker::finished);
        ProbeSettings grid = smallGrid();
        grid.samples = 3;
        QVERIFY(worker.start(paths, {ids[0], ids[1]}, grid));
        worker.cancel();  // seen at the latest after the first prompt: the rest is never probed
        const ProbeJobResult result = waitForResult(finished);
        QVERIFY(result.cancelled);
        QVERIFY(!result.ok);
        QVERIFY(result.error.isEmpty());
        QCOMPARE(result.storedRows, qint64(0));
        for (int64_t id : ids) QCOMPARE(probeRowCount(paths, id), size_t(0));
        // The worker is free again, and a later probe works.
        QVERIFY(worker.start(paths, {ids[0]}, smallGrid()));
        QVERIFY(waitForResult(finished).ok);
        QVERIFY(probeRowCount(paths, ids[0]) > 0);
    }

    void errorsAreClearMessages() {
        ProbeWorker worker;
        QSignalSpy finished(&worker, &ProbeWorker::finished);
        // An unknown run.
        QVERIFY(worker.start(paths_, {987654}, smallGrid()));
        ProbeJobResult result = waitForResult(finished);
        QVERIFY(!result.ok && !result.cancelled);
        QVERIFY2(result.error.contains("987654"), qPrintable(result.error));

        // The corpus the run was trained on is gone and no data folder is set.
        QString error;
        app::AppPaths paths = sandbox_.trainedStore("probe-nodata", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(QDir(paths.dataFlag).removeRecursively());
        paths.dataFlag.clear();
        const auto ids = testsupport::GuiSandbox::trainedRunIds(paths);
        QVERIFY(worker.start(paths, {ids[0], ids[1]}, smallGrid()));
        result = waitForResult(finished);
        QVERIFY(!result.ok && !result.cancelled);
        QVERIFY2(result.error.contains("WikiText", Qt::CaseInsensitive) ||
                     result.error.contains("data", Qt::CaseInsensitive),
                 qPrintable(result.error));
        for (int64_t id : ids) QCOMPARE(probeRowCount(paths, id), size_t(0));

        // A run without checkpoints (its files deleted from the store's records).
        app::AppPaths bare = sandbox_.trainedStore("probe-nockpt", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto bareIds = testsupport::GuiSandbox::trainedRunIds(bare);
        {
            const auto db = sqlite::Database::open(bare.dbPath.toStdString(), 0x00000002);
            db.exec("DELETE FROM checkpoints WHERE run_id = " + std::to_string(bareIds[1]) + ";");
        }
        QVERIFY(worker.start(bare, {bareIds[0], bareIds[1]}, smallGrid()));
        result = waitForResult(finished);
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains("no checkpoint"), qPrintable(result.error));
        QCOMPARE(probeRowCount(bare, bareIds[0]), size_t(0));  // its pair's rows are not stored alone
    }

    void aBusyStoreIsAClearMessage() {
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("probe-busy", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto ids = testsupport::GuiSandbox::trainedRunIds(paths);
        // Another connection holds the write lock for longer than the store waits (its busy time-out).
        const auto other = sqlite::Database::open(paths.dbPath.toStdString(), 0x00000002);
        other.exec("BEGIN IMMEDIATE;");
        ProbeWorker worker;
        QSignalSpy finished(&worker, &ProbeWorker::finished);
        QVERIFY(worker.start(paths, {ids[0], ids[1]}, smallGrid()));
        const ProbeJobResult result = waitForResult(finished);
        other.exec("ROLLBACK;");
        QVERIFY(!result.ok && !result.cancelled);
        QVERIFY2(result.error.contains("locked"), qPrintable(result.error));
        for (int64_t id : ids) QCOMPARE(probeRowCount(paths, id), size_t(0));
    }

    void barShowsProgressCancelAndOutcome() {
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("probe-bar", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto ids = testsupport::GuiSandbox::trainedRunIds(paths);
        ProbeNowBar bar(paths);
        bar.setSettings(smallGrid());
        QVERIFY(bar.isHidden());
        QSignalSpy ended(&bar, &ProbeNowBar::probeEnded);
        QSignalSpy stored(&bar, &ProbeNowBar::probeStored);
        QVERIFY(bar.probeRuns({ids[0], ids[1]}, "the pair"));
        QVERIFY(!bar.isHidden());
        QVERIFY(bar.message().contains("the pair"));
        QCOMPARE(bar.progressBar()->maximum(), 4);
        QCOMPARE(bar.cancelButton()->text(), QString("Cancel"));
        QVERIFY(!bar.probeRuns({ids[0]}));  // busy
        QTest::mouseClick(bar.cancelButton(), Qt::LeftButton);
        QVERIFY(ended.wait(120000) || !ended.isEmpty());
        QVERIFY(ended.first().at(0).value<ProbeJobResult>().cancelled);
        QVERIFY(bar.message().contains("nothing was stored"));
        QCOMPARE(stored.count(), 0);
        QCOMPARE(bar.cancelButton()->text(), QString("Close"));

        ended.clear();
        QVERIFY(bar.probeRuns({ids[0], ids[1]}, "the pair"));
        QVERIFY(ended.wait(120000) || !ended.isEmpty());
        QVERIFY2(ended.first().at(0).value<ProbeJobResult>().ok, qPrintable(bar.message()));
        QCOMPARE(stored.count(), 1);
        QVERIFY2(bar.message().contains("step 30"), qPrintable(bar.message()));
        QTest::mouseClick(bar.cancelButton(), Qt::LeftButton);  // "Close"
        QVERIFY(bar.isHidden());
    }

    void compareShowsTheNewProbe() {
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("probe-compare", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        CompareView view(paths);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.runIds().size(), 2);
        QVERIFY(view.probeSteps().isEmpty());  // trained without probing
        view.probeBar()->setSettings(smallGrid());
        QSignalSpy ended(view.probeBar(), &ProbeNowBar::probeEnded);
        QTest::mouseClick(view.probeButton(), Qt::LeftButton);
        QVERIFY(!view.probeButton()->isEnabled());  // one probe at a time
        QVERIFY(ended.wait(120000) || !ended.isEmpty());
        QVERIFY2(ended.first().at(0).value<ProbeJobResult>().ok, qPrintable(view.probeBar()->message()));
        QTRY_COMPARE(view.probeSteps(), (QVector<qint64>{30}));
        QCOMPARE(view.depthChart()->series().size(), 2);
        QVERIFY(view.probeButton()->isEnabled());
        QVERIFY(!testsupport::saveScreenshot(&view, "compare-view-probed-1024", {1024, 640}).isEmpty());
    }
};

// As the app does: passive OpenMP waits (a restart before QApplication), else probing crawls on busy cores.
int main(int argc, char** argv) {
    needlescope::prepareProcess(argv);
    QApplication app(argc, argv);
    ProbeNowTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_gui_probe_now.moc"
