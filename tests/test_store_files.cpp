// Run store files: schema migrations, and every way a file can be unusable — not SQLite, corrupted, another
// program's database, a newer schema, an unwritable or read-only location, a full disk. Each must give a
// clear Error naming the file, and a file that is refused must be left byte-for-byte unchanged.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/store/RunStore.h"
#include "core/store/Schema.h"
#include "core/util/Error.h"

using namespace needlescope;
namespace fs = std::filesystem;

namespace {

template <typename F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Contents and modification time, to prove a refused file was not touched.
struct Snapshot {
    std::string bytes;
    fs::file_time_type mtime;
    bool operator==(const Snapshot& o) const { return bytes == o.bytes && mtime == o.mtime; }
};
Snapshot snapshot(const std::string& path) { return {readBytes(path), fs::last_write_time(path)}; }

// Runs SQL on a raw connection (not the store), e.g. to build an old-version file or forge a header field.
void rawExec(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, message.c_str());
}

std::string rawText(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    std::string text;
    if (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(stmt, 0);
        text = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return text;
}

}  // namespace

class TestStoreFiles : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string path(const std::string& name) const {
        return QDir(dir_.path()).filePath(QString::fromStdString(name)).toStdString();
    }

    // Opening `file` must throw an Error that names it and contains `problem`, and leave it unchanged;
    // read-only opening must refuse it the same way.
    void expectRefused(const std::string& file, const std::string& problem) {
        const Snapshot before = snapshot(file);
        for (bool readOnly : {false, true}) {
            const std::string error = errorOf([&] { RunStore::open(file, readOnly); });
            qInfo("%s", error.c_str());
            QVERIFY2(contains(error, file), error.c_str());
            QVERIFY2(contains(error, problem), error.c_str());
            QVERIFY2(snapshot(file) == before, ("modified: " + file).c_str());
        }
        QVERIFY(!fs::exists(file + "-journal"));
        QVERIFY(!fs::exists(file + "-wal") || fs::file_size(file + "-wal") == 0);
    }

  private Q_SLOTS:
    void newFileGetsCurrentSchemaInWalMode() {
        const std::string file = path("new.db");
        {
            RunStore store = RunStore::open(file);
            QCOMPARE(store.schemaVersion(), RunStore::currentSchemaVersion());
            QCOMPARE(RunStore::currentSchemaVersion(), schema::migrations().back().version);
            QVERIFY(!store.isReadOnly());
        }
        QCOMPARE(rawText(file, "PRAGMA journal_mode"), std::string("wal"));
        QCOMPARE(rawText(file, "PRAGMA application_id"), std::to_string(schema::kApplicationId));
        QCOMPARE(rawText(file, "PRAGMA user_version"), std::to_string(RunStore::currentSchemaVersion()));
    }

    void migrationsAreOrdered() {
        const auto& all = schema::migrations();
        QVERIFY(all.size() >= 2);
        for (size_t i = 0; i < all.size(); ++i) QCOMPARE(all[i].version, int(i + 1));
    }

    void emptyFileIsInitialised() {
        const std::string file = path("empty.db");
        writeBytes(file, "");
        QVERIFY(fs::exists(file) && fs::file_size(file) == 0);
        RunStore store = RunStore::open(file);
        QCOMPARE(store.schemaVersion(), RunStore::currentSchemaVersion());
        store.createRun({"g", "n", "standard", "{}"});
    }

    // A file written by the previous schema version is upgraded in place and keeps its data.
    void migratesFromPreviousVersion() {
        const std::string file = path("v1.db");
        const int previous = RunStore::currentSchemaVersion() - 1;
        std::string sql = "BEGIN;";
        for (const auto& m : schema::migrations()) {
            if (m.version <= previous) sql += m.sql;
        }
        sql += "PRAGMA application_id = " + std::to_string(schema::kApplicationId) + ";";
        sql += "PRAGMA user_version = " + std::to_string(previous) + ";";
        sql +=
            "INSERT INTO runs (id, group_name, name, kind, config, status, created_at, finished_at) "
            "VALUES (7, 'old', 'old run', 'standard', '{}', 'finished', 1700000000, 1700000100);";
        sql += "INSERT INTO metrics (run_id, name, step, value) VALUES (7, 'loss', 10, 2.5);";
        // A probe row of version 2 (no probe settings in its key yet).
        sql +=
            "INSERT INTO probe_results (run_id, step, context_length, depth, needles, sample, layer, head, "
            "signed_answer, hit) VALUES (7, 10, 128, 25.0, 1, 0, 0, 0, 0.125, 1);";
        sql += "COMMIT;";
        rawExec(file, sql);
        QCOMPARE(rawText(file, "PRAGMA user_version"), std::to_string(previous));

        // Read-only mode cannot upgrade, so it refuses with a hint instead.
        const std::string readOnly = errorOf([&] { RunStore::open(file, true); });
        QVERIFY2(contains(readOnly, "older schema version"), readOnly.c_str());

        RunStore store = RunStore::open(file);
        QCOMPARE(store.schemaVersion(), RunStore::currentSchemaVersion());
        const RunRecord old = store.run(7);
        QCOMPARE(old.name, std::string("old run"));
        QCOMPARE(old.finishedAt, int64_t(1700000100));
        QCOMPARE(store.metrics(7, "loss").at(0).value, 2.5);
        // The old probe row kept its values and got the default settings and its depth as placed depth.
        const auto upgraded = store.probeRows(7);
        QCOMPARE(upgraded.size(), size_t(1));
        QCOMPARE(upgraded[0].signedNorm.answer, 0.125);
        QVERIFY(upgraded[0].hit);
        QCOMPARE(upgraded[0].query, std::string("last"));
        QCOMPARE(upgraded[0].answerSpan, std::string("number"));
        QCOMPARE(upgraded[0].probeSeed, int64_t(0));
        QCOMPARE(upgraded[0].placedDepth, 25.0);
        // Probe settings are part of the key: a re-probe with another query mode or seed adds rows.
        ProbeRow row = upgraded[0];
        row.query = "question";
        store.addProbeRows({row});
        row.query = "last";
        row.probeSeed = 9;
        row.placedDepth = 23.5;
        store.addProbeRows({row});
        const auto all = store.probeRows(7);
        QCOMPARE(all.size(), size_t(3));
        QCOMPARE(all[0].signedNorm.answer, 0.125);  // the original row was not overwritten
        int seeded = 0;
        for (const auto& r : all) seeded += r.probeSeed == 9 && r.placedDepth == 23.5 ? 1 : 0;
        QCOMPARE(seeded, 1);
        QVERIFY(store.createRun({"new", "new run", "diff", "{}"}) > 7);
    }

    void newerSchemaIsRefusedUntouched() {
        const std::string file = path("future.db");
        {
            RunStore store = RunStore::open(file);
            store.createRun({"g", "n", "standard", "{}"});
        }
        rawExec(file, "PRAGMA user_version = " + std::to_string(RunStore::currentSchemaVersion() + 1));
        QVERIFY(!fs::exists(file + "-wal"));  // checkpointed and removed on close: the file is complete
        expectRefused(file, "schema version " + std::to_string(RunStore::currentSchemaVersion() + 1));
        expectRefused(file, "newer Needlescope");
    }

    void nonSqliteFileIsRefusedUntouched() {
        const std::string file = path("notes.txt");
        std::string text;
        for (int i = 0; i < 200; ++i) text += "These are my notes, line " + std::to_string(i) + "\n";
        writeBytes(file, text);
        expectRefused(file, "not an SQLite database");
        QVERIFY(!fs::exists(file + "-wal") && !fs::exists(file + "-shm"));
    }

    void corruptedFileIsRefusedUntouched() {
        // The SQLite magic string followed by garbage.
        const std::string garbage = path("garbage.db");
        std::string bytes("SQLite format 3\0", 16);
        for (int i = 0; i < 8192; ++i) bytes += char((i * 7919 + 13) & 0xff);
        writeBytes(garbage, bytes);
        expectRefused(garbage, "cannot open it");

        // A real store whose header survived but whose first page's tree was overwritten.
        const std::string damaged = path("damaged.db");
        {
            RunStore store = RunStore::open(damaged);
            const int64_t id = store.createRun({"g", "n", "standard", "{}"});
            store.appendMetrics(id, {{1, "loss", 1.0}});
        }
        std::string db = readBytes(damaged);
        QVERIFY(db.size() > 4096);
        for (size_t i = 100; i < 4096; ++i) db[i] = char((i * 31) & 0xff);
        writeBytes(damaged, db);
        expectRefused(damaged, "corrupt");
    }

    void foreignSqliteDatabaseIsRefusedUntouched() {
        const std::string file = path("other-app.sqlite");
        rawExec(file, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');");
        expectRefused(file, "another program");
    }

    void unwritableLocationsGiveClearErrors() {
        const std::string regular = path("file.txt");
        writeBytes(regular, "a regular file");
        const std::string underFile = regular + "/sub/runs.db";
        std::string error = errorOf([&] { RunStore::open(underFile); });
        QVERIFY2(contains(error, underFile) && contains(error, "'" + regular + "' is a file, not a folder"),
                 error.c_str());

        const std::string missingFolder = path("no-such-folder") + "/runs.db";
        error = errorOf([&] { RunStore::open(missingFolder); });
        QVERIFY2(contains(error, missingFolder) && contains(error, "does not exist"), error.c_str());
        QVERIFY(!fs::exists(path("no-such-folder")));

        error =
            errorOf([&] { RunStore::open("/proc/needlescope-runs.db"); });  // the kernel refuses new files
        qInfo("%s", error.c_str());
        QVERIFY2(contains(error, "/proc/needlescope-runs.db") && contains(error, "cannot be opened"),
                 error.c_str());

        error = errorOf([&] { RunStore::open(dir_.path().toStdString()); });
        QVERIFY2(contains(error, "is a folder"), error.c_str());
        error = errorOf([&] { RunStore::open(""); });
        QVERIFY2(contains(error, "no database path"), error.c_str());
        QCOMPARE(readBytes(regular), std::string("a regular file"));
    }

    void readOnlyModeReadsAndRefusesWrites() {
        const std::string file = path("readonly.db");
        int64_t id = 0;
        {
            RunStore store = RunStore::open(file);
            id = store.createRun({"g", "n", "standard", "{}"});
            store.appendMetrics(id, {{1, "loss", 2.0}, {2, "loss", 1.5}});
            store.addCheckpoint(id, 2, "/c/2.pt");
        }
        const Snapshot before = snapshot(file);
        {
            RunStore reader = RunStore::open(file, true);
            QVERIFY(reader.isReadOnly());
            QCOMPARE(reader.run(id).name, std::string("n"));
            QCOMPARE(reader.metrics(id).size(), size_t(2));
            QCOMPARE(reader.checkpoints(id).size(), size_t(1));
            for (auto write : std::initializer_list<std::function<void()>>{
                     [&] {
                         reader.createRun({"g", "x", "standard", "{}"});
                     },
                     [&] { reader.setNotes(id, "x"); },
                     [&] {
                         reader.appendMetrics(id, {{3, "loss", 1.0}});
                     },
                     [&] { reader.deleteRun(id); },
                 }) {
                const std::string error = errorOf(write);
                QVERIFY2(contains(error, file) && contains(error, "read-only"), error.c_str());
            }
        }
        QVERIFY(snapshot(file) == before);
        QCOMPARE(RunStore::open(file).metrics(id).size(), size_t(2));

        const std::string missing = path("missing.db");
        std::string error = errorOf([&] { RunStore::open(missing, true); });
        QVERIFY2(contains(error, missing) && contains(error, "does not exist"), error.c_str());
        QVERIFY(!fs::exists(missing));
        writeBytes(path("empty-ro.db"), "");
        error = errorOf([&] { RunStore::open(path("empty-ro.db"), true); });
        QVERIFY2(contains(error, "empty"), error.c_str());
    }

    // A write that hits a full disk (simulated in a child process with a file size limit) fails with a
    // clear Error, and everything committed before stays intact: batches are all-or-nothing.
    void fullDiskFailsCleanly() {
        const std::string file = path("full.db");
        int64_t id = 0;
        {
            RunStore store = RunStore::open(file);
            id = store.createRun({"g", "n", "standard", "{}"});
        }
        const rlim_t limit = rlim_t(fs::file_size(file)) + 256 * 1024;
        const std::string report = path("full-report.txt");
        const int batch = 100;
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG from write() instead of being killed
            const rlimit rl{limit, limit};
            setrlimit(RLIMIT_FSIZE, &rl);
            int code = 3;
            std::string message;
            try {
                RunStore store = RunStore::open(file);
                for (int b = 0; b < 10000 && code == 3; ++b) {
                    std::vector<MetricPoint> points;
                    for (int i = 0; i < batch; ++i) {
                        points.push_back({int64_t(b * batch + i), "loss/with/a/longish/name", 1.0 + i, 0, 0});
                    }
                    try {
                        store.appendMetrics(id, points);
                    } catch (const Error& e) {
                        message = e.what();
                        code = 0;
                    }
                }
            } catch (const Error& e) {
                message = std::string("open failed: ") + e.what();
                code = 4;
            }
            std::ofstream(report) << message;
            _exit(code);
        }
        int status = 0;
        waitpid(child, &status, 0);
        const std::string message = readBytes(report);
        qInfo("%s", message.c_str());
        QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, message.c_str());
        QVERIFY2(contains(message, file) && contains(message, "cannot save metrics of run") &&
                     (contains(message, "disk is full") || contains(message, "input/output error")),
                 message.c_str());

        QCOMPARE(rawText(file, "PRAGMA integrity_check"), std::string("ok"));
        RunStore store = RunStore::open(file);
        const size_t saved = store.metrics(id).size();
        QVERIFY(saved > 0);
        QCOMPARE(saved % batch, size_t(0));
        store.appendMetrics(id, {{-1, "after", 1.0}});  // usable again once there is room
    }
};

QTEST_APPLESS_MAIN(TestStoreFiles)
#include "test_store_files.moc"
