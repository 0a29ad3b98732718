// CTest fixture `gui_store` (FIXTURES_SETUP): trains the one tiny paired experiment the GUI tests share,
// once per CTest run, into <build>/test-fixtures/gui-store. Tests take private copies through
// GuiSandbox::trainedStore(), so none of them trains its own model for read-mostly checks.
#include <QDir>
#include <QFile>
#include <QtTest/QtTest>

#include "GuiSandbox.h"
#include "core/store/RunStore.h"
#include "core/train/Experiment.h"
#include "core/train/TrainConfig.h"

using namespace needlescope;

class FixtureGuiStore : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void trainsOnePairedTinyRun() {
        const QString root = testsupport::guiFixtureDir();
        QDir(root).removeRecursively();  // a stale or half-written fixture from an earlier run
        QVERIFY2(QDir().mkpath(root), qPrintable(root));
        const QString corpus = QDir(root).filePath("corpus");
        QVERIFY2(testsupport::makeSmallCorpus(corpus),
                 "WikiText-2 test data missing (see tests/TestSupport.h)");

        TrainConfig config = loadPreset("tiny");
        config.model.maxContext = 128;  // long enough for a needle task, so Inspect and Compare work
        config.threads = 2;
        ExperimentPaths paths;
        paths.dataDir = corpus.toStdString();
        paths.dbPath = QDir(root).filePath("runs.db").toStdString();
        paths.checkpointDir = QDir(root).filePath("checkpoints").toStdString();
        paths.cacheDir = QDir(root).filePath("cache").toStdString();
        Experiment experiment(config, paths);
        QCOMPARE(experiment.run(), RunStatus::Finished);

        const RunStore store = RunStore::open(paths.dbPath);
        QCOMPARE(int(experiment.runIds().size()), 2);
        for (int64_t id : experiment.runIds()) QCOMPARE(int(store.checkpoints(id).size()), 3);
        // Written last: copies trust only a complete fixture, and learn the paths to rewrite from it.
        QFile ready(testsupport::guiFixtureReadyFile());
        QVERIFY(ready.open(QIODevice::WriteOnly));
        QVERIFY(ready.write(root.toUtf8()) == root.toUtf8().size());
    }
};

QTEST_GUILESS_MAIN(FixtureGuiStore)
#include "fixture_gui_store.moc"
