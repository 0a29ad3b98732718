// End to end through the real CLI on a tiny paired run: `probe` stores rows and prints the Table-3-style
// table; `report` writes PNG, SVG, CSV and JSON (the PNG non-empty, one CSV row per model and depth) without
// a display; bad requests exit with clear messages.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include "core/store/RunStore.h"
#include "test_probe_support.h"

using namespace needlescope;

class TestProbeReport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    probetest::TinyRun run_;

    struct Result {
        int exitCode;
        QString out, err;
    };
    Result cli(const QStringList& args, int timeoutMs = 120000) {
        QProcess process;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_CACHE_HOME", dir_.filePath("xdg-cache"));
        env.insert("XDG_DATA_HOME", dir_.filePath("xdg-data"));
        env.insert("XDG_CONFIG_HOME", dir_.filePath("xdg-config"));
        env.remove("DISPLAY");  // the report must not need a display …
        env.remove("WAYLAND_DISPLAY");
        env.remove("QT_QPA_PLATFORM");  // … nor the caller to choose the offscreen platform
        env.remove("NEEDLESCOPE_DATA");
        env.insert("OMP_NUM_THREADS", "2");
        process.setProcessEnvironment(env);
        process.start(NEEDLESCOPE_CLI_PATH, args);
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            return {-1, {}, "timed out"};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
                QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!testsupport::makeSmallCorpus(dir_.filePath("corpus"))) QSKIP("shared WikiText data not found");
        run_ = probetest::trainTiny(dir_.path(), probetest::tinyConfig(128));
        QCOMPARE(run_.status, RunStatus::Finished);
        QCOMPARE(run_.runIds.size(), size_t(2));
    }

    void probeBothRunsThroughTheCli() {
        for (int64_t id : run_.runIds) {
            const auto r = cli(
                {"probe", "--run", QString::number(id), "--samples", "2", "--threads", "2", "--db", run_.db});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
            QVERIFY2(r.out.contains("answer (up)") && r.out.contains("noise (down)") &&
                         r.out.contains("accuracy") && r.out.contains("flagged rows"),
                     qPrintable(r.out));
            for (const char* depth : {"0%", "25%", "50%", "75%", "100%"})
                QVERIFY2(r.out.contains(depth), qPrintable(r.out));
        }
        const RunStore store = RunStore::open(run_.db.toStdString(), true);
        QCOMPARE(store.probeRows(run_.runIds[0]).size(),
                 size_t(5 * 2 * 2 * 4));  // depths × samples × layers × heads
        QCOMPARE(store.probeRows(run_.runIds[1]).size(), size_t(5 * 2 * 2 * 2));  // DIFF: h/2 heads
    }

    void reportWritesFigureCsvAndJson() {
        const QString out = dir_.filePath("report");
        const auto r =
            cli({"report", "--group", QString::fromStdString(run_.group), "--out", out, "--db", run_.db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("standard") && r.out.contains("diff") && r.out.contains("answer/noise"),
                 qPrintable(r.out));

        QFile png(QDir(out).filePath("needle-probe.png"));
        QVERIFY(png.open(QIODevice::ReadOnly));
        const QByteArray pngBytes = png.readAll();
        QVERIFY2(pngBytes.size() > 5000, qPrintable(QString::number(pngBytes.size())));
        QVERIFY(pngBytes.startsWith("\x89PNG\r\n\x1a\n"));

        QFile svg(QDir(out).filePath("needle-probe.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgBytes = svg.readAll();
        QVERIFY(svgBytes.contains("<svg"));
        QVERIFY(svgBytes.contains("standard") && svgBytes.contains("diff"));  // the legend

        QFile csv(QDir(out).filePath("needle-probe.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 2 * 5);  // header + one row per (model, depth)
        QVERIFY(lines[0].startsWith(
            "run_id,model,kind,step,context_length,needles,depth,samples,signed_answer_mean"));
        const int columns = lines[0].split(',').size();
        std::set<std::pair<QString, QString>> keys;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList cells = lines[i].split(',');
            QCOMPARE(cells.size(), columns);
            keys.insert({cells[1], cells[6]});
        }
        QCOMPARE(keys.size(), size_t(10));

        QFile jsonFile(QDir(out).filePath("needle-probe.json"));
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const auto json = nlohmann::json::parse(jsonFile.readAll().toStdString());
        QCOMPARE(json.at("runs").size(), size_t(2));
        QCOMPARE(json.at("runs")[0].at("depths").size(), size_t(5));
        QCOMPARE(json.at("figure").at("lines").size(), size_t(2));
        QVERIFY(json.at("runs")[1].at("depths")[0].at("per_head").size() == 4);  // DIFF: 2 layers × 2 heads
    }

    void reportByRunIds() {
        const QString out = dir_.filePath("report-ids");
        const auto r = cli({"report", "--runs", QString("%1,%2").arg(run_.runIds[0]).arg(run_.runIds[1]),
                            "--out", out, "--db", run_.db, "--norm", "absolute"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY(QFileInfo(QDir(out).filePath("needle-probe.png")).size() > 0);
    }

    void badRequestsExitWithClearMessages() {
        const QString id = QString::number(run_.runIds[0]);
        auto r = cli({"probe", "--run", id, "--ctx", "500", "--db", run_.db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("longer than the model's maximum of 128"), qPrintable(r.err));
        r = cli({"probe", "--run", id, "--ctx", "16", "--db", run_.db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("more than the context of 16 tokens"), qPrintable(r.err));
        r = cli({"probe", "--run", id, "--depths", "0,150", "--db", run_.db});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("depth must be within 0-100"), qPrintable(r.err));
        r = cli({"probe", "--run", id, "--step", "7", "--db", run_.db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no checkpoint at step 7"), qPrintable(r.err));
        r = cli({"report", "--db", run_.db});
        QCOMPARE(r.exitCode, 2);
        r = cli({"report", "--group", "no-such-group", "--db", run_.db, "--out", dir_.filePath("x")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no-such-group"), qPrintable(r.err));
    }

    // `probe --ctx A,B --needles 1,2` stores one row per (needles, context, depth, sample, layer, head) under
    // its own probe seed, prints the depth × context and needle-count tables, and leaves the seed-0 rows
    // alone.
    void gridProbeStoresOneRowPerCell() {
        const int64_t id = run_.runIds[0];
        const RunStore before = RunStore::open(run_.db.toStdString(), true);
        size_t seedZero = 0;
        for (const auto& row : before.probeRows(id)) seedZero += row.probeSeed == 0 ? 1 : 0;
        const auto r =
            cli({"probe", "--run", QString::number(id), "--ctx", "116,120", "--needles", "1,2", "--depths",
                 "0,100", "--samples", "2", "--seed", "5", "--threads", "2", "--db", run_.db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("depth × context length") && r.out.contains("by needle count") &&
                     r.out.contains("116") && r.out.contains("120"),
                 qPrintable(r.out));
        const RunStore store = RunStore::open(run_.db.toStdString(), true);
        std::set<std::tuple<int64_t, int64_t, double, int64_t, int64_t, int64_t>> cells;
        size_t seeded = 0, zero = 0;
        for (const auto& row : store.probeRows(id)) {
            if (row.probeSeed == 0) ++zero;
            if (row.probeSeed != 5) continue;
            ++seeded;
            cells.insert({row.needles, row.contextLength, row.depth, row.sample, row.layer, row.head});
            QVERIFY(row.placedDepth >= 0 && row.placedDepth <= 100);
        }
        QCOMPARE(seeded,
                 size_t(2 * 2 * 2 * 2 * 2 * 4));  // needles × contexts × depths × samples × layers × heads
        QCOMPARE(cells.size(), seeded);           // one row per cell
        QCOMPARE(zero, seedZero);                 // other settings' rows untouched
    }
};

QTEST_GUILESS_MAIN(TestProbeReport)
#include "test_probe_report.moc"
