// needlescope-cli processes that meet on one run store: trainers started together get their own groups
// and checkpoint folders, a run being trained cannot be deleted, a killed trainer's runs read as
// interrupted without any write, read commands create nothing, and a corrupt store is never written.
#include <signal.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <memory>
#include <set>

#include "TestSupport.h"
#include "cli_test_support.h"
#include "core/store/RunStore.h"
#include "store_test_support.h"

using namespace needlescope;
namespace fs = std::filesystem;

class TestCliRaces : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString corpus_, db_;

    clitest::Result cli(const QStringList& args) { return clitest::run(dir_.path(), args); }
    QStringList train(const QString& db, const QString& steps) const {
        return {"train", "--preset", "tiny", "--steps", steps,  "--threads",
                "1",     "--db",     db,     "--data",  corpus_};
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        corpus_ = dir_.filePath("corpus");
        if (!testsupport::makeSmallCorpus(corpus_)) QSKIP("shared WikiText data not found");
        db_ = dir_.filePath("runs.db");
    }

    // Three trainers started at once (after one that fills the token cache): every experiment gets its own
    // group, folder and checkpoint files, and all of them finish.
    void concurrentTrainsGetTheirOwnGroupsAndFolders() {
        const auto warm = cli(train(db_, "2"));
        QVERIFY2(warm.exitCode == 0, qPrintable(warm.err));

        std::vector<std::unique_ptr<QProcess>> trainers;
        for (int i = 0; i < 3; ++i) {
            trainers.push_back(std::make_unique<QProcess>());
            clitest::start(*trainers.back(), dir_.path(), train(db_, "2"));
        }
        for (auto& trainer : trainers) {
            const auto r = clitest::finish(*trainer);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        }

        RunStore store = RunStore::open(db_.toStdString(), true);
        const auto runs = store.runs();
        QCOMPARE(runs.size(), size_t(8));
        std::set<std::string> groups, checkpointFiles;
        for (const RunRecord& run : runs) {
            groups.insert(run.group);
            QCOMPARE(statusName(run.status), std::string("finished"));
            QCOMPARE(run.lastStep, int64_t(2));
            const fs::path groupDir = fs::path(dir_.filePath("checkpoints").toStdString()) / run.group;
            QVERIFY(fs::exists(groupDir / "tokenizer.model"));
            for (const CheckpointRecord& c : store.checkpoints(run.id)) {
                QVERIFY2(checkpointFiles.insert(c.path).second, c.path.c_str());  // nobody else's file
                QVERIFY2(fs::exists(c.path), c.path.c_str());
                QCOMPARE(fs::path(c.path).parent_path().parent_path(), groupDir);
            }
        }
        QCOMPARE(groups.size(), size_t(4));
        for (const std::string& group : groups) QCOMPARE(store.group(group).size(), size_t(2));
        QCOMPARE(checkpointFiles.size(), size_t(8));
    }

    // `runs delete` of a run that a trainer is writing is refused; once the trainer is killed, listings
    // (read-only) show its runs interrupted without writing, and the delete goes through.
    void runBeingTrainedCannotBeDeleted() {
        const QString db = dir_.filePath("live.db");
        QProcess trainer;
        clitest::start(trainer, dir_.path(), train(db, "100000"));
        QVERIFY(trainer.waitForStarted());
        int64_t id = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                try {
                    const auto runs = RunStore::open(db.toStdString(), true).runs();
                    if (runs.size() != 2 || runs.back().lastStep < 10) return false;  // a checkpoint exists
                    id = runs.back().id;
                    return true;
                } catch (const std::exception&) {
                    return false;
                }
            }(),
            120000);

        const qint64 pid = trainer.processId();  // 0 once it has exited
        const auto refused = cli({"runs", "delete", QString::number(id), "--yes", "--db", db});
        QCOMPARE(refused.exitCode, 1);
        const QString expected = QString("run %1 is being trained by process %2 on host ").arg(id).arg(pid);
        QVERIFY2(refused.err.contains(expected) && refused.err.contains("stop it first"),
                 qPrintable(refused.err));
        QCOMPARE(RunStore::open(db.toStdString(), true).run(id).id, id);
        QVERIFY(cli({"runs", "list", "--db", db}).out.contains("running"));

        ::kill(pid_t(pid), SIGKILL);
        QVERIFY(trainer.waitForFinished(10000));
        const std::vector<char> before = storetest::fileBytes(db.toStdString());
        const auto listed = cli({"runs", "list", "--db", db});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY2(listed.out.contains("interrupted*") && listed.out.contains("writer gone"),
                 qPrintable(listed.out));
        QVERIFY2(!listed.out.contains("running"), qPrintable(listed.out));
        const auto shown = cli({"runs", "show", QString::number(id), "--db", db});
        QVERIFY2(shown.out.contains(QString("interrupted (writer gone: process %1").arg(pid)),
                 qPrintable(shown.out));
        QVERIFY(storetest::fileBytes(db.toStdString()) == before);
        QCOMPARE(RunStore::open(db.toStdString(), true).run(id).status,
                 RunStatus::Running);  // nothing written

        const auto deleted = cli({"runs", "delete", QString::number(id), "--yes", "--db", db});
        QVERIFY2(deleted.exitCode == 0, qPrintable(deleted.err));
    }

    // Commands that only read (or edit existing runs) never create the store's folder.
    void readCommandsCreateNothing() {
        const QString missing = dir_.filePath("newdir/sub/x.db");
        const QList<QStringList> commands = {
            {"runs", "list"},
            {"runs", "show", "1"},
            {"runs", "tag", "1", "x"},
            {"runs", "delete", "1", "--yes"},
            {"export", "--runs", "1"},
            {"export", "--json", "--run", "1"},
            {"export-weights", "--run", "1", "--out", dir_.filePath("w.pt")},
            {"report", "--group", "g", "--out", dir_.filePath("report")},
        };
        for (QStringList args : commands) {
            const auto r = cli(args << "--db" << missing);
            QVERIFY2(r.exitCode == 1 && !r.err.isEmpty(), qPrintable(args.join(' ') + ": " + r.err));
            QVERIFY2(!QDir(dir_.filePath("newdir")).exists(), qPrintable(args.join(' ')));
        }
    }

    // A store with a damaged page: `train` refuses it and neither it nor a listing changes a byte.
    void corruptStoreIsNeverWritten() {
        QVERIFY(!storetest::hasSideFiles(db_.toStdString()));
        const std::string copy = dir_.filePath("corrupt.db").toStdString();
        QVERIFY(storetest::writeBytes(copy, storetest::fileBytes(db_.toStdString())));
        QVERIFY2(storetest::corruptMiddlePage(copy) > 1, "no page whose damage quick_check notices");
        const std::vector<char> before = storetest::fileBytes(copy);

        const auto trained = cli(train(QString::fromStdString(copy), "2"));
        QCOMPARE(trained.exitCode, 1);
        QVERIFY2(trained.err.contains("corrupted") && trained.err.contains("left unchanged"),
                 qPrintable(trained.err));
        QVERIFY(storetest::fileBytes(copy) == before);
        QVERIFY(!storetest::hasSideFiles(copy));

        cli({"runs", "list", "--db", QString::fromStdString(copy)});  // may or may not reach the damage
        QVERIFY(storetest::fileBytes(copy) == before);
        QVERIFY(!storetest::hasSideFiles(copy));
    }
};

QTEST_GUILESS_MAIN(TestCliRaces)
#include "test_cli_races.moc"
