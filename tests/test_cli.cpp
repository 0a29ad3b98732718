// The headless CLI as a user runs it: exit codes, SIGKILL mid-training then --resume, runs, exports.
#include <signal.h>
#include <torch/torch.h>

#include <QtTest/QtTest>

#include "TestSupport.h"
#include "cli_test_support.h"
#include "core/store/RunStore.h"
#include "core/train/Checkpoint.h"

using namespace needlescope;

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString corpus_, db_;

    QProcessEnvironment environment() const { return clitest::environment(dir_.path()); }
    using Result = clitest::Result;
    Result cli(const QStringList& args, int timeoutMs = 240000) {
        return clitest::run(dir_.path(), args, timeoutMs);
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        corpus_ = dir_.filePath("corpus");
        if (!testsupport::makeSmallCorpus(corpus_)) QSKIP("shared WikiText data not found");
        db_ = dir_.filePath("runs.db");
    }

    void usageErrorsExitWithTwo() {
        QCOMPARE(cli({"frobnicate"}).exitCode, 2);
        QCOMPARE(cli({"train", "--no-such-option"}).exitCode, 2);
        const auto r = cli({"train", "--steps", "abc", "--db", db_, "--data", corpus_});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--steps"), qPrintable(r.err));
        QCOMPARE(cli({"runs", "delete", "1", "--db", db_}).exitCode, 2);  // needs --yes
        QCOMPARE(cli({"--help"}).exitCode, 0);
    }

    void runtimeErrorsExitWithOne() {
        const auto r = cli({"train", "--preset", "tiny", "--db", db_, "--data", dir_.filePath("missing")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("missing"), qPrintable(r.err));
        const auto badDb = cli({"runs", "list", "--db", QDir(corpus_).filePath("train.txt/x.db")});
        QCOMPARE(badDb.exitCode, 1);
        QVERIFY2(!badDb.err.isEmpty(), "a clear message is printed");
    }

    void sigkillThenResumeFinishes() {
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(NEEDLESCOPE_CLI_PATH, {"train", "--preset", "tiny", "--steps", "400", "--threads", "1",
                                             "--db", db_, "--data", corpus_});
        QVERIFY(process.waitForStarted());
        // Wait until at least two checkpoints (steps 10, 20) are committed, then kill without warning.
        int64_t runId = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                try {
                    RunStore store = RunStore::open(db_.toStdString(), true);
                    const auto runs = store.runs();
                    if (runs.size() < 2) return false;
                    runId = runs.back().id;
                    return store.checkpoints(runs.front().id).size() >= 2;
                } catch (const std::exception&) {
                    return false;
                }
            }(),
            180000);
        ::kill(pid_t(process.processId()), SIGKILL);
        QVERIFY(process.waitForFinished(10000));

        std::map<int64_t, size_t> metricsBefore;
        {
            RunStore store = RunStore::open(db_.toStdString());
            const auto group = store.group(store.run(runId).group);
            QCOMPARE(int(group.size()), 2);
            for (const auto& run : group) {
                QCOMPARE(run.status, RunStatus::Interrupted);
                metricsBefore[run.id] = store.metrics(run.id, "train_loss").size();
                QVERIFY(metricsBefore[run.id] >= 20);  // every step up to the committed checkpoint
                QCOMPARE(store.run(run.id).configJson.empty(), false);
            }
        }
        const auto resumed = cli({"train", "--resume", QString::number(runId), "--db", db_});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err + resumed.out));
        RunStore store = RunStore::open(db_.toStdString(), true);
        for (const auto& run : store.group(store.run(runId).group)) {
            QCOMPARE(run.status, RunStatus::Finished);
            QCOMPARE(run.lastStep, int64_t(400));
            QCOMPARE(int(store.metrics(run.id, "train_loss").size()), 400);
            QVERIFY(store.metrics(run.id, "train_loss").size() > metricsBefore[run.id]);
        }
    }

    void runsListShowsStoredRuns() {
        const auto r = cli({"runs", "list", "--db", db_});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("standard") && r.out.contains("diff") && r.out.contains("finished"),
                 qPrintable(r.out));
        QCOMPARE(cli({"runs", "tag", "1", "baseline", "paper", "--db", db_}).exitCode, 0);
        QCOMPARE(cli({"runs", "note", "1", "first", "try", "--db", db_}).exitCode, 0);
        const auto shown = cli({"runs", "show", "1", "--db", db_});
        QVERIFY2(shown.out.contains("baseline,paper") && shown.out.contains("first try"),
                 qPrintable(shown.out));
    }

    void exportsMetricsAndJson() {
        const QString csv = dir_.filePath("metrics.csv");
        QCOMPARE(cli({"export", "--runs", "1,2", "--out", csv, "--db", db_}).exitCode, 0);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.startsWith("run_id,"));
        QVERIFY(text.contains("train_loss") && text.contains("val_loss"));
        const auto json = cli({"export", "--json", "--run", "2", "--db", db_});
        QCOMPARE(json.exitCode, 0);
        QVERIFY(!QJsonDocument::fromJson(json.out.toUtf8()).isNull());
    }

    void exportedWeightsReloadIdentically() {
        const QString out = dir_.filePath("weights.pt");
        const auto r = cli({"export-weights", "--run", "2", "--out", out, "--db", db_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const auto value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
        QVERIFY(value.isGenericDict());
        const auto dict = value.toGenericDict();

        RunStore store = RunStore::open(db_.toStdString(), true);
        Decoder model = loadModel(store.checkpoints(2).back().path);
        const auto params = model->named_parameters();
        QCOMPARE(int64_t(dict.size()), int64_t(params.size()));
        for (const auto& item : params) {
            QVERIFY2(dict.contains(item.key()), item.key().c_str());
            QVERIFY(torch::equal(dict.at(item.key()).toTensor(), item.value()));
        }
        QVERIFY(QFile::exists(out + ".json"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
