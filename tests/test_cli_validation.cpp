// The CLI refuses bad input with a message naming the flag or key, leaves nothing behind when a config
// cannot train, and tells a stop by signal from a finished run by its exit code.
#include <signal.h>
#include <torch/cuda.h>

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include "TestSupport.h"
#include "cli_test_support.h"
#include "core/store/RunStore.h"

using namespace needlescope;

class TestCliValidation : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString corpus_;

    QProcessEnvironment environment() const { return clitest::environment(dir_.path()); }
    using Result = clitest::Result;
    Result cli(const QStringList& args, int timeoutMs = 60000) {
        return clitest::run(dir_.path(), args, timeoutMs);
    }
    // A train command on the small corpus with its own store in `name`/.
    QStringList train(const QString& name, const QStringList& extra) const {
        return QStringList{"train",  "--threads", "1", "--db", QDir(dir_.filePath(name)).filePath("runs.db"),
                           "--data", corpus_} +
               extra;
    }
    QString writeConfig(const QString& name, const nlohmann::json& config) const {
        const QString path = dir_.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly)) return {};
        file.write(QByteArray::fromStdString(config.dump(2)));
        return path;
    }
    static nlohmann::json tinyConfig() {
        return {{"name", "tiny"},
                {"model", {{"d_model", 32}, {"heads", 4}, {"layers", 2}, {"max_context", 32}}},
                {"tokenizer_vocab", 512},
                {"batch_size", 4},
                {"steps", 30},
                {"eval_every", 10},
                {"checkpoint_every", 10}};
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        corpus_ = dir_.filePath("corpus");
        if (!testsupport::makeSmallCorpus(corpus_)) QSKIP("shared WikiText data not found");
    }

    void badNumbersAreUsageErrorsNamingTheFlag() {
        const QList<QStringList> cases = {
            {"--curriculum", "abc"}, {"--curriculum", "1.5"},  {"--steps", "1.5"},  {"--steps", "-3"},
            {"--steps", "abc"},      {"--epochs", "many"},     {"--threads", "-1"}, {"--seeds", "0"},
            {"--resume", "abc"},     {"--probe-every", "2.5"},
        };
        for (const QStringList& flag : cases) {
            const auto r = cli(train("bad-numbers", QStringList{"--preset", "tiny"} + flag));
            QVERIFY2(r.exitCode == 2,
                     qPrintable(flag.join(' ') + ": " + QString::number(r.exitCode) + " " + r.err));
            QVERIFY2(r.err.contains(flag.front()), qPrintable(flag.join(' ') + ": " + r.err));
        }
        QVERIFY(!QFile::exists(QDir(dir_.filePath("bad-numbers")).filePath("runs.db")));
    }

    void badConfigFilesNameTheKeyAndTheFile() {
        nlohmann::json fractional = tinyConfig();
        fractional["model"]["d_model"] = 32.5;
        const QString fractionalPath = writeConfig("fractional.json", fractional);
        auto r = cli(train("bad-config", {"--config", fractionalPath}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("model.d_model") && r.err.contains("32.5") && r.err.contains(fractionalPath),
                 qPrintable(r.err));

        nlohmann::json misspelled = tinyConfig();
        misspelled["model"]["dmodel"] = 64;
        r = cli(train("bad-config", {"--config", writeConfig("misspelled.json", misspelled)}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("model.dmodel") && r.err.contains("did you mean 'model.d_model'"),
                 qPrintable(r.err));

        nlohmann::json british = tinyConfig();
        british["optimiser"] = {{"lr", 0.001}};
        r = cli(train("bad-config", {"--config", writeConfig("british.json", british)}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("'optimiser'") && r.err.contains("'optimizer'"), qPrintable(r.err));

        nlohmann::json wrongType = tinyConfig();
        wrongType["batch_size"] = "four";
        const QString wrongTypePath = writeConfig("wrong-type.json", wrongType);
        r = cli(train("bad-config", {"--config", wrongTypePath}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("batch_size") && r.err.contains(wrongTypePath), qPrintable(r.err));
    }

    void hugeConfigIsRefusedBeforeAnythingIsCreated() {
        nlohmann::json huge = tinyConfig();
        huge["model"]["d_model"] = 100000000;
        const auto r = cli(train("huge", {"--config", writeConfig("huge.json", huge)}));
        QVERIFY2(r.exitCode == 1, qPrintable(r.err));
        QVERIFY2(r.err.contains("needs about") && r.err.contains("GiB available"), qPrintable(r.err));
        QVERIFY2(!r.err.contains("alloc", Qt::CaseInsensitive),
                 qPrintable(r.err));  // not the allocator's message
        const QDir store(dir_.filePath("huge"));
        QVERIFY(!QFile::exists(store.filePath("runs.db")));  // no store rows: not even a store
        QVERIFY(!QDir(store.filePath("checkpoints")).exists());
    }

    void failureBeforeTheFirstStepMarksRunsFailedAndLeavesNoFolder() {
        // More rows per batch than a short train split holds: the batcher fails after the runs exist.
        const QString shortCorpus = dir_.filePath("short-corpus");
        QVERIFY(testsupport::makeSmallCorpus(shortCorpus, 60000));
        nlohmann::json config = tinyConfig();
        config["batch_size"] = 5000;
        QStringList args = train("early-failure", {"--config", writeConfig("early.json", config)});
        args[args.indexOf(corpus_)] = shortCorpus;
        const auto r = cli(args);
        QVERIFY2(r.exitCode == 1, qPrintable(r.err));
        QVERIFY2(r.err.contains("too small"), qPrintable(r.err));
        const QDir store(dir_.filePath("early-failure"));
        RunStore runs = RunStore::open(store.filePath("runs.db").toStdString(), true);
        QCOMPARE(int(runs.runs().size()), 2);
        for (const RunRecord& run : runs.runs()) {
            QCOMPARE(run.status, RunStatus::Failed);
            QVERIFY2(!QDir(store.filePath("checkpoints/" + QString::fromStdString(run.group))).exists(),
                     run.group.c_str());
        }
    }

    void stopBySignalExitsWithThree() {
        const QString db = QDir(dir_.filePath("signal")).filePath("runs.db");
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(NEEDLESCOPE_CLI_PATH, train("signal", {"--preset", "tiny", "--steps", "100000"}));
        QVERIFY(process.waitForStarted());
        // Wait until training is under way (its first metrics are stored), then ask it to stop.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                try {
                    RunStore store = RunStore::open(db.toStdString(), true);
                    const auto runs = store.runs();
                    return !runs.empty() && !store.metrics(runs.front().id, "train_loss").empty();
                } catch (const std::exception&) {
                    return false;
                }
            }(),
            50000);
        ::kill(pid_t(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 3);
        RunStore store = RunStore::open(db.toStdString(), true);
        for (const RunRecord& run : store.runs()) {
            QCOMPARE(run.status, RunStatus::Interrupted);
            QVERIFY(!store.checkpoints(run.id).empty());  // resumable
        }
    }

    void duplicateListValuesAreRefused() {
        const QString db = dir_.filePath("lists.db");
        for (const QStringList& flag : QList<QStringList>{{"--depths", "50,50,50"},
                                                          {"--depths", "25,50,25.0"},
                                                          {"--needles", "1,2,1"},
                                                          {"--ctx", "64,64"}}) {
            const auto r = cli(QStringList{"probe", "--run", "1", "--db", db} + flag);
            QVERIFY2(r.exitCode == 2, qPrintable(flag.join(' ') + ": " + r.err));
            QVERIFY2(r.err.contains(flag.front()) && r.err.contains("more than once"), qPrintable(r.err));
        }
        const auto study = cli({"study", "--analyse", "x", "--depths", "0,100,0", "--db", db});
        QCOMPARE(study.exitCode, 2);
        QVERIFY2(study.err.contains("--depths"), qPrintable(study.err));
        const auto exported = cli({"export", "--runs", "1,1", "--db", db});
        QCOMPARE(exported.exitCode, 2);
        QCOMPARE(cli({"probe", "--run", "abc", "--db", db}).exitCode, 2);
        QCOMPARE(cli({"probe", "--run", "1", "--seed", "-1", "--db", db}).exitCode, 2);
    }

    void probeDeviceIsChecked() {
        const QString db = dir_.filePath("device.db");
        const auto unknown = cli({"probe", "--run", "1", "--device", "tpu", "--db", db});
        QVERIFY(unknown.exitCode != 0);
        QVERIFY2(unknown.err.contains("unknown device 'tpu'"), qPrintable(unknown.err));
        if (torch::cuda::is_available()) QSKIP("this machine has CUDA: --device cuda is valid here");
        const auto cuda = cli({"probe", "--run", "1", "--device", "cuda", "--db", db});
        QVERIFY(cuda.exitCode != 0);
        QVERIFY2(cuda.err.contains("no CUDA support") && cuda.err.contains("--device cpu"),
                 qPrintable(cuda.err));
    }

    void precisionIsChecked() {
        const auto unknown = cli(train("precision", {"--preset", "tiny", "--precision", "fp16"}));
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains("precision") && unknown.err.contains("fp16"), qPrintable(unknown.err));
        // bf16 autocast is a CUDA feature: refused on the CPU before any run exists.
        const auto cpu =
            cli(train("precision", {"--preset", "tiny", "--precision", "bf16", "--device", "cpu"}));
        QVERIFY(cpu.exitCode != 0);
        QVERIFY2(cpu.err.contains("bf16") && cpu.err.contains("CUDA"), qPrintable(cpu.err));
        QVERIFY(!QFile::exists(QDir(dir_.filePath("precision")).filePath("runs.db")));
    }

    void scheduleIsChecked() {
        const auto unknown = cli(train("schedule", {"--preset", "tiny", "--lr-schedule", "step"}));
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains("--lr-schedule") && unknown.err.contains("step"),
                 qPrintable(unknown.err));
        QVERIFY(!QFile::exists(QDir(dir_.filePath("schedule")).filePath("runs.db")));
    }

    void seedIsCheckedAndStored() {
        const auto bad = cli(train("badseed", {"--preset", "tiny", "--seed", "-3"}));
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("--seed") && bad.err.contains("-3"), qPrintable(bad.err));
        QVERIFY(!QFile::exists(QDir(dir_.filePath("badseed")).filePath("runs.db")));
        // A good seed becomes the runs' model seed (initial weights and data order), as stored with the run.
        const auto good = cli(train("seed", {"--preset", "tiny", "--steps", "1", "--seed", "77"}));
        QVERIFY2(good.exitCode == 0, qPrintable(good.err));
        RunStore store = RunStore::open(QDir(dir_.filePath("seed")).filePath("runs.db").toStdString());
        const auto runs = store.runs();
        QVERIFY(!runs.empty());
        for (const auto& run : runs)
            QCOMPARE(nlohmann::json::parse(run.configJson).at("model").at("seed").get<uint64_t>(),
                     uint64_t(77));
    }

    void missingRunsAndProbeResultsAreNamed() {
        const QString db = dir_.filePath("named.db");
        int64_t id = 0;
        {
            RunStore store = RunStore::open(db.toStdString());
            id = store.createRun({"g", "g/standard", "standard", "{}"});
        }
        auto r = cli({"export-weights", "--run", "999", "--out", dir_.filePath("w.pt"), "--db", db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no run") && r.err.contains("999") && !r.err.contains("checkpoint"),
                 qPrintable(r.err));
        r = cli({"export-weights", "--run", QString::number(id), "--out", dir_.filePath("w.pt"), "--db", db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("has no checkpoints"), qPrintable(r.err));
        r = cli({"report", "--runs", QString::number(id), "--out", dir_.filePath("report"), "--db", db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(
            r.err.contains("run " + QString::number(id) + " ") && r.err.contains("no stored probe results"),
            qPrintable(r.err));
    }

    void helpListsCommandsInColumnsAndTheExitCodes() {
        const auto r = cli({"--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QRegularExpression("export-weights +write")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QRegularExpression("\n  train +train")), qPrintable(r.out));
        QVERIFY2(r.out.contains("exit codes") && r.out.contains("3 training stopped"), qPrintable(r.out));
        const auto trainHelp = cli({"train", "--help"});
        QVERIFY2(trainHelp.out.contains("3 stopped by Ctrl-C or SIGTERM"), qPrintable(trainHelp.out));
    }
};

QTEST_GUILESS_MAIN(TestCliValidation)
#include "test_cli_validation.moc"
