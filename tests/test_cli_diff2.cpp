// Issue 15 through the real CLI: `study --models standard,diff,diff2` trains the three kinds on the same
// batches, probes them on the same prompts and reports all three (the first, standard, as the baseline);
// `probe` reads the V2 run (h heads of buckets per layer); `report` draws three lines; `bench train` prints
// the V2 parameter count with its formula.
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include "TestSupport.h"
#include "cli_test_support.h"
#include "core/store/RunStore.h"

using namespace needlescope;

class TestCliDiff2 : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString corpus_, db_, config_;

    clitest::Result cli(const QStringList& args) { return clitest::run(dir_.path(), args, 240000); }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        corpus_ = dir_.filePath("corpus");
        if (!testsupport::makeSmallCorpus(corpus_)) QSKIP("shared WikiText data not found");
        db_ = dir_.filePath("runs.db");
        // The tiny preset with a context long enough for a needle task.
        const nlohmann::json tiny = {
            {"name", "tiny-128"},
            {"models", {"standard", "diff"}},
            {"model", {{"d_model", 32}, {"heads", 4}, {"layers", 2}, {"max_context", 128}, {"seed", 1234}}},
            {"tokenizer_vocab", 512},
            {"optimizer", {{"lr", 3e-3}, {"warmup_steps", 2}, {"min_lr_ratio", 0.1}}},
            {"batch_size", 4},
            {"steps", 10},
            {"eval_every", 10},
            {"eval_batches", 1},
            {"checkpoint_every", 10},
            {"log_every", 1},
            {"probe_every", 0}};
        config_ = dir_.filePath("tiny-128.json");
        QFile file(config_);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(tiny.dump(2)));
    }

    void studyTrainsProbesAndReportsThreeKinds() {
        const QString out = dir_.filePath("study");
        const auto r = cli({"study",   "--config",  config_,     "--models", "standard,diff,diff2",
                            "--seeds", "1",         "--samples", "1",        "--depths",
                            "0,100",   "--threads", "2",         "--name",   "three",
                            "--out",   out,         "--data",    corpus_,    "--db",
                            db_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QFile json(QDir(out).filePath("study.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const auto study = nlohmann::json::parse(json.readAll().toStdString());
        QCOMPARE(study.at("kinds").get<std::vector<std::string>>(),
                 (std::vector<std::string>{"standard", "diff", "diff2"}));
        QFile md(QDir(out).filePath("study.md"));
        QVERIFY(md.open(QIODevice::ReadOnly));
        const QByteArray markdown = md.readAll();
        QVERIFY(markdown.contains("diff2"));
        // The reproduce line names the study once: the given --name is not appended a second time.
        QCOMPARE(markdown.count("--name three"), qsizetype(1));
        const RunStore store = RunStore::open(db_.toStdString(), true);
        std::vector<std::string> kinds;
        for (const RunRecord& run : store.runs()) kinds.push_back(run.kind);
        std::sort(kinds.begin(), kinds.end());
        QCOMPARE(kinds, (std::vector<std::string>{"diff", "diff2", "standard"}));
    }

    void reportAndProbeTheV2Run() {
        const RunStore store = RunStore::open(db_.toStdString(), true);
        int64_t v2 = 0;
        std::string group;
        for (const RunRecord& run : store.runs())
            if (run.kind == "diff2") {
                v2 = run.id;
                group = run.group;
            }
        QVERIFY(v2 > 0);
        // The study's probes of the group: three lines, one per kind.
        const QString out = dir_.filePath("report");
        const auto report =
            cli({"report", "--group", QString::fromStdString(group), "--out", out, "--db", db_});
        QVERIFY2(report.exitCode == 0, qPrintable(report.err + report.out));
        QFile json(QDir(out).filePath("needle-probe.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const auto figure = nlohmann::json::parse(json.readAll().toStdString());
        QCOMPARE(figure.at("figure").at("lines").size(), size_t(3));
        const auto probe = cli({"probe", "--run", QString::number(v2), "--samples", "1", "--depths", "50",
                                "--seed", "5", "--threads", "2", "--db", db_});
        QVERIFY2(probe.exitCode == 0, qPrintable(probe.err + probe.out));
        QVERIFY2(probe.out.contains("answer (up)"), qPrintable(probe.out));
        // One row per (depth, sample, layer, head): V2 keeps h = 4 heads per layer.
        const RunStore after = RunStore::open(db_.toStdString(), true);
        size_t rows = 0;
        int64_t maxHead = -1;
        for (const ProbeRow& row : after.probeRows(v2)) {
            rows += row.depth == 50.0 ? 1 : 0;
            maxHead = std::max(maxHead, row.head);
        }
        QCOMPARE(rows, size_t(1 * 2 * 4));  // one sample × 2 layers × 4 heads
        QCOMPARE(maxHead, int64_t(3));
    }

    void benchPrintsTheParameterFormula() {
        const auto r = cli({"bench", "train", "--config", "small", "--models", "diff2", "--warmup", "0",
                            "--steps", "1", "--threads", "2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("diff2") && r.out.contains("params = V·D + L·(3D² + 2·D·h_kv·d + D·h"),
                 qPrintable(r.out));
    }
};

QTEST_APPLESS_MAIN(TestCliDiff2)
#include "test_cli_diff2.moc"
