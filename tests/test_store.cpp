// Run store: runs, metrics, checkpoints, probe rows and the CSV/JSON exports round-trip through SQLite.
#include <sqlite3.h>

#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/store/Export.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"

using namespace needlescope;

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

// Rows of `table` for run `runId`, counted on a separate raw connection (not through the store's API).
int64_t rawCount(const std::string& path, const std::string& table, int64_t runId) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    const std::string sql = "SELECT count(*) FROM " + table + " WHERE run_id = ?";
    sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    sqlite3_bind_int64(stmt, 1, runId);
    const int64_t count = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return count;
}

// A minimal RFC 4180 reader, independent of the writer under test.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false, inQuotes = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inQuotes) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                inQuotes = false;
            } else {
                field += c;
            }
        } else if (c == '"' && field.empty() && !quoted) {
            inQuotes = quoted = true;
        } else if (c == ',') {
            rows.back().push_back(field);
            field.clear();
            quoted = false;
        } else if (c == '\n') {
            rows.back().push_back(field);
            field.clear();
            quoted = false;
            rows.emplace_back();
        } else {
            field += c;
        }
    }
    if (!rows.back().empty() || !field.empty()) rows.back().push_back(field);
    if (rows.back().empty()) rows.pop_back();
    return rows;
}

ProbeRow probeRow(int64_t runId, int64_t step, double depth, int64_t layer, int64_t head, double base) {
    ProbeRow r;
    r.runId = runId;
    r.step = step;
    r.depth = depth;
    r.contextLength = 256;
    r.needles = 2;
    r.sample = 1;
    r.layer = layer;
    r.head = head;
    r.signedNorm = {base + 0.1, base + 0.2, base + 0.3, base + 0.4};
    r.absolute = {base + 1.1, base + 1.2, base + 1.3, base + 1.4};
    r.raw = {base + 2.1, base + 2.2, base + 2.3, base + 2.4};
    r.signedTotal = base + 0.5;
    r.hit = head % 2 == 0;
    return r;
}

void compareBuckets(const BucketValues& a, const BucketValues& b) {
    QCOMPARE(a.sink, b.sink);
    QCOMPARE(a.answer, b.answer);
    QCOMPARE(a.noise, b.noise);
    QCOMPARE(a.query, b.query);
}

}  // namespace

class TestStore : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string path(const char* name) const { return QDir(dir_.path()).filePath(name).toStdString(); }

  private Q_SLOTS:
    void createListFilterGet() {
        RunStore store = RunStore::open(path("runs.db"));
        QCOMPARE(store.path(), path("runs.db"));
        QVERIFY(store.runs().empty());

        const int64_t a = store.createRun({"pair-1", "standard small", "standard", R"({"d_model":256})"});
        const int64_t b = store.createRun({"pair-1", "diff small", "diff", R"({"d_model":256})"});
        const int64_t c = store.createRun({"pair-2", "standard tiny", "standard", ""});
        QVERIFY(a < b && b < c);
        store.setTags(a, {"baseline", "wiki, v1"});
        store.setNotes(c, "Loss Spike at step 40");

        const RunRecord ra = store.run(a);
        QCOMPARE(ra.id, a);
        QCOMPARE(ra.group, std::string("pair-1"));
        QCOMPARE(ra.name, std::string("standard small"));
        QCOMPARE(ra.kind, std::string("standard"));
        QCOMPARE(ra.configJson, std::string(R"({"d_model":256})"));
        QCOMPARE(statusName(ra.status), statusName(RunStatus::Running));
        QVERIFY(ra.createdAt > 1600000000);
        QCOMPARE(ra.finishedAt, int64_t(0));
        QCOMPARE(ra.tags, (std::vector<std::string>{"baseline", "wiki, v1"}));

        auto ids = [](const std::vector<RunRecord>& runs) {
            std::vector<int64_t> out;
            for (const auto& r : runs) out.push_back(r.id);
            return out;
        };
        QCOMPARE(ids(store.runs()), (std::vector<int64_t>{c, b, a}));             // newest first
        QCOMPARE(ids(store.runs({"DIFF", ""})), (std::vector<int64_t>{b}));       // kind, case-insensitive
        QCOMPARE(ids(store.runs({"wiki,", ""})), (std::vector<int64_t>{a}));      // tag
        QCOMPARE(ids(store.runs({"spike", ""})), (std::vector<int64_t>{c}));      // notes
        QCOMPARE(ids(store.runs({"pair-2", ""})), (std::vector<int64_t>{c}));     // group as text
        QCOMPARE(ids(store.runs({"", "pair-1"})), (std::vector<int64_t>{b, a}));  // group exactly
        QCOMPARE(ids(store.runs({"standard", "pair-1"})), (std::vector<int64_t>{a}));  // both
        QVERIFY(store.runs({"no such text", ""}).empty());
        QCOMPARE(ids(store.group("pair-1")), (std::vector<int64_t>{a, b}));  // creation order
        QVERIFY(store.group("pair").empty());

        const std::string missing = errorOf([&] { store.run(c + 100); });
        QVERIFY2(missing.find("no run with id " + std::to_string(c + 100)) != std::string::npos,
                 missing.c_str());
        QVERIFY(!errorOf([&] { store.setNotes(c + 100, "x"); }).empty());
        QVERIFY(!errorOf([&] { store.setTags(c + 100, {}); }).empty());
        QVERIFY(!errorOf([&] { store.setLastStep(c + 100, 1); }).empty());
        QVERIFY(!errorOf([&] { store.setStatus(c + 100, RunStatus::Finished); }).empty());
        const std::string badJson = errorOf([&] { store.createRun({"g", "bad", "standard", "{not json"}); });
        QVERIFY2(badJson.find("not valid JSON") != std::string::npos, badJson.c_str());
        QCOMPARE(store.runs().size(), size_t(3));
    }

    void persistsAcrossReopen() {
        int64_t id = 0;
        {
            RunStore store = RunStore::open(path("reopen.db"));
            id = store.createRun({"g", "n", "diff", "{}"});
            store.setTags(id, {"ünïcode", "with \"quotes\"", ""});
            store.setNotes(id, "line 1\nline 2");
            store.setLastStep(id, 1234);
            store.setStatus(id, RunStatus::Finished);
        }
        RunStore store = RunStore::open(path("reopen.db"));
        const RunRecord r = store.run(id);
        QCOMPARE(r.tags, (std::vector<std::string>{"ünïcode", "with \"quotes\"", ""}));
        QCOMPARE(r.notes, std::string("line 1\nline 2"));
        QCOMPARE(r.lastStep, int64_t(1234));
        QCOMPARE(statusName(r.status), statusName(RunStatus::Finished));
    }

    void statusTransitions() {
        RunStore store = RunStore::open(path("status.db"));
        const int64_t id = store.createRun({"g", "n", "standard", "{}"});
        for (RunStatus end : {RunStatus::Finished, RunStatus::Cancelled, RunStatus::Failed}) {
            store.setStatus(id, end);
            QCOMPARE(statusName(store.run(id).status), statusName(end));
            QVERIFY(store.run(id).finishedAt > 1600000000);
            store.setStatus(id, RunStatus::Running);
            QCOMPARE(statusName(store.run(id).status), statusName(RunStatus::Running));
            QCOMPARE(store.run(id).finishedAt, int64_t(0));
        }
        store.setStatus(id, RunStatus::Interrupted);
        QCOMPARE(statusName(store.run(id).status), statusName(RunStatus::Interrupted));
        QCOMPARE(store.run(id).finishedAt, int64_t(0));

        for (RunStatus s : {RunStatus::Running, RunStatus::Finished, RunStatus::Interrupted,
                            RunStatus::Cancelled, RunStatus::Failed}) {
            QCOMPARE(statusName(runStatusFromString(statusName(s))), statusName(s));
        }
        QCOMPARE(statusName(RunStatus::Interrupted), std::string("interrupted"));
        const std::string bad = errorOf([] { runStatusFromString("paused"); });
        QVERIFY2(bad.find("paused") != std::string::npos, bad.c_str());
    }

    void deleteCascades() {
        const std::string file = path("delete.db");
        RunStore store = RunStore::open(file);
        const int64_t doomed = store.createRun({"g", "doomed", "standard", "{}"});
        const int64_t kept = store.createRun({"g", "kept", "diff", "{}"});
        for (int64_t id : {doomed, kept}) {
            store.appendMetrics(id, {{1, "loss", 3.0}, {2, "loss", 2.5}, {2, "lr", 1e-4}});
            store.addCheckpoint(id, 200, "/ckpt/" + std::to_string(id) + "/step200.pt");
            store.addCheckpoint(id, 100, "/ckpt/" + std::to_string(id) + "/step100.pt");
            store.addProbeRows({probeRow(id, 100, 0.5, 0, 0, 0), probeRow(id, 100, 0.5, 0, 1, 0)});
            store.setStatus(id, RunStatus::Finished);  // a run this process still trains cannot be deleted
        }
        QCOMPARE(rawCount(file, "metrics", doomed), int64_t(3));

        const std::vector<std::string> paths = store.deleteRun(doomed);
        const std::string prefix = "/ckpt/" + std::to_string(doomed);
        QCOMPARE(paths, (std::vector<std::string>{prefix + "/step100.pt", prefix + "/step200.pt"}));
        QVERIFY(!errorOf([&] { store.run(doomed); }).empty());
        for (const char* table : {"metrics", "checkpoints", "probe_results"}) {
            QCOMPARE(rawCount(file, table, doomed), int64_t(0));
            QCOMPARE(rawCount(file, table, kept), int64_t(table == std::string("metrics") ? 3 : 2));
        }
        QVERIFY(store.metrics(doomed).empty());
        QCOMPARE(store.runs().size(), size_t(1));
        QVERIFY(!errorOf([&] { store.deleteRun(doomed); }).empty());

        // Ids are never reused, so a deleted run's id cannot come to mean another run.
        QVERIFY(store.createRun({"g", "new", "standard", "{}"}) > kept);
    }

    void metricsRoundTrip() {
        const std::string file = path("metrics.db");
        RunStore store = RunStore::open(file);
        const int64_t id = store.createRun({"g", "n", "standard", "{}"});
        const int64_t other = store.createRun({"g", "other", "standard", "{}"});
        store.appendMetrics(other, {{1, "loss", 9.0}});

        std::vector<MetricPoint> batch;
        for (int64_t step = 300; step >= 1; --step) {  // written out of order on purpose
            batch.push_back({step, "train/loss", 10.0 / double(step), step * 512, 0.25 * double(step)});
            batch.push_back({step, "lr", 1e-4 * double(step), step * 512, 0.25 * double(step)});
            if (step % 100 == 0)
                batch.push_back({step, "val/ppl", std::exp(3.0 / double(step)), step * 512, 1.0});
        }
        store.appendMetrics(id, batch);
        store.appendMetrics(id, {{301, "train/loss", std::numeric_limits<double>::quiet_NaN(), 0, 0},
                                 {302, "train/loss", std::numeric_limits<double>::infinity(), 0, 0}});

        const auto all = store.metrics(id);
        QCOMPARE(all.size(), batch.size() + 2);
        for (size_t i = 1; i < all.size(); ++i) {
            QVERIFY(all[i - 1].step < all[i].step ||
                    (all[i - 1].step == all[i].step && all[i - 1].name < all[i].name));
        }
        const auto loss = store.metrics(id, "train/loss");
        QCOMPARE(loss.size(), size_t(302));
        for (int64_t step = 1; step <= 300; ++step) {
            const MetricPoint& p = loss[size_t(step - 1)];
            QCOMPARE(p.step, step);
            QCOMPARE(p.name, std::string("train/loss"));
            QCOMPARE(p.value, 10.0 / double(step));  // exact: stored as a double
            QCOMPARE(p.tokens, step * 512);
            QCOMPARE(p.wallTime, 0.25 * double(step));
        }
        QVERIFY(std::isnan(loss[300].value));
        QVERIFY(std::isinf(loss[301].value));
        QCOMPARE(store.metricNames(id), (std::vector<std::string>{"lr", "train/loss", "val/ppl"}));
        QCOMPARE(store.metrics(id, "val/ppl").size(), size_t(3));
        QVERIFY(store.metrics(id, "missing").empty());

        // Writing a step again (a resumed run recomputing it) replaces the value.
        store.appendMetrics(id, {{100, "val/ppl", 42.0, 1, 2}});
        const auto ppl = store.metrics(id, "val/ppl");
        QCOMPARE(ppl.size(), size_t(3));
        QCOMPARE(ppl[0].value, 42.0);

        const auto latest = store.latestMetrics(id);
        QCOMPARE(latest.size(), size_t(3));
        QCOMPARE(latest[0].name, std::string("lr"));
        QCOMPARE(latest[0].step, int64_t(300));
        QCOMPARE(latest[1].step, int64_t(302));
        QCOMPARE(latest[2].step, int64_t(300));

        // A batch is all or nothing.
        const int64_t before = rawCount(file, "metrics", id);
        QVERIFY(!errorOf([&] { store.appendMetrics(id, {{500, "ok", 1.0}, {501, "", 2.0}}); }).empty());
        const std::string missing = errorOf([&] { store.appendMetrics(other + 50, {{1, "loss", 1.0}}); });
        QVERIFY2(missing.find("no run with id") != std::string::npos, missing.c_str());
        QCOMPARE(rawCount(file, "metrics", id), before);
        QCOMPARE(store.metrics(other).size(), size_t(1));
        store.appendMetrics(id, {});  // no-op
    }

    // One appendMetrics call is one transaction: 2000 points grow the write-ahead log by a few pages,
    // where one transaction per point would add at least one 4 KiB frame per point.
    void metricsAreBatched() {
        const std::string file = path("batched.db");
        RunStore store = RunStore::open(file);
        const int64_t id = store.createRun({"g", "n", "standard", "{}"});
        std::vector<MetricPoint> batch;
        for (int64_t step = 0; step < 2000; ++step) batch.push_back({step, "loss", 1.0 / double(step + 1)});
        const auto walBefore = std::filesystem::file_size(file + "-wal");
        store.appendMetrics(id, batch);
        const auto walAfter = std::filesystem::file_size(file + "-wal");
        QCOMPARE(store.metrics(id).size(), size_t(2000));
        QVERIFY2(walAfter - walBefore < 200 * 4096, std::to_string(walAfter - walBefore).c_str());
    }

    void checkpointsRoundTrip() {
        RunStore store = RunStore::open(path("checkpoints.db"));
        const int64_t id = store.createRun({"g", "n", "standard", "{}"});
        store.addCheckpoint(id, 300, "checkpoints/c/300.pt");
        store.addCheckpoint(id, 100, "checkpoints/c/100.pt");
        store.addCheckpoint(id, 200, "checkpoints/c/200 with, comma.pt");
        store.addCheckpoint(id, 100, "checkpoints/c/100-again.pt");  // same step: replaced
        const auto records = store.checkpoints(id);
        QCOMPARE(records.size(), size_t(3));
        QCOMPARE(records[0].step, int64_t(100));
        QCOMPARE(records[0].path, std::string("checkpoints/c/100-again.pt"));
        QCOMPARE(records[1].path, std::string("checkpoints/c/200 with, comma.pt"));
        QCOMPARE(records[2].step, int64_t(300));
        for (const auto& r : records) {
            QCOMPARE(r.runId, id);
            QVERIFY(r.createdAt > 1600000000);
        }
        QVERIFY(!errorOf([&] { store.addCheckpoint(id + 1, 1, "x"); }).empty());
        QVERIFY(store.checkpoints(id + 1).empty());
    }

    void probeRowsRoundTrip() {
        const std::string file = path("probe.db");
        RunStore store = RunStore::open(file);
        const int64_t id = store.createRun({"g", "n", "diff", "{}"});
        std::vector<ProbeRow> rows;
        for (int64_t step : {200, 100})
            for (double depth : {1.0, 0.0, 0.25})
                for (int64_t layer = 0; layer < 2; ++layer)
                    for (int64_t head = 0; head < 2; ++head)
                        rows.push_back(
                            probeRow(id, step, depth, layer, head, double(step) + depth + double(head)));
        rows[0].signedNorm.answer = std::numeric_limits<double>::quiet_NaN();
        rows[0].signedTotal = -0.125;
        store.addProbeRows(rows);

        const auto back = store.probeRows(id);
        QCOMPARE(back.size(), rows.size());
        for (size_t i = 1; i < back.size(); ++i) {
            const auto& p = back[i - 1];
            const auto& q = back[i];
            QVERIFY(std::tie(p.step, p.contextLength, p.depth, p.layer, p.head) <
                    std::tie(q.step, q.contextLength, q.depth, q.layer, q.head));
        }
        for (const ProbeRow& original : rows) {
            auto match = std::find_if(back.begin(), back.end(), [&](const ProbeRow& r) {
                return r.step == original.step && r.depth == original.depth && r.layer == original.layer &&
                       r.head == original.head;
            });
            QVERIFY(match != back.end());
            QCOMPARE(match->runId, id);
            QCOMPARE(match->contextLength, int64_t(256));
            QCOMPARE(match->needles, int64_t(2));
            QCOMPARE(match->sample, int64_t(1));
            if (std::isnan(original.signedNorm.answer)) {
                QVERIFY(std::isnan(match->signedNorm.answer));
                QCOMPARE(match->signedTotal, -0.125);
            } else {
                compareBuckets(match->signedNorm, original.signedNorm);
                QCOMPARE(match->signedTotal, original.signedTotal);
            }
            compareBuckets(match->absolute, original.absolute);
            compareBuckets(match->raw, original.raw);
            QCOMPARE(match->hit, original.hit);
        }
        QCOMPARE(store.probeSteps(id), (std::vector<int64_t>{100, 200}));
        QCOMPARE(store.probeRows(id, 100).size(), size_t(12));
        QVERIFY(store.probeRows(id, 150).empty());

        const auto aggregates = store.probeAggregates(id);
        QCOMPARE(aggregates.size(), size_t(6));  // 2 steps × 3 depths
        const ProbeAggregate& first = aggregates[0];
        QCOMPARE(first.step, int64_t(100));
        QCOMPARE(first.depth, 0.0);
        QCOMPARE(first.rows, int64_t(4));
        QCOMPARE(first.hitRate, 0.5);
        // Heads 0 and 1 over two layers: base = 100 and 101, mean 100.5.
        QCOMPARE(first.absolute.answer, 100.5 + 1.2);

        // Writing the same rows again replaces them; rows of an unknown run fail the whole batch.
        store.addProbeRows({rows[1]});
        QCOMPARE(store.probeRows(id).size(), rows.size());
        std::vector<ProbeRow> bad = {probeRow(id, 300, 0.5, 0, 0, 0), probeRow(id + 7, 300, 0.5, 0, 0, 0)};
        QVERIFY(!errorOf([&] { store.addProbeRows(bad); }).empty());
        QVERIFY(store.probeRows(id, 300).empty());
    }

    void csvExportQuotes() {
        RunStore store = RunStore::open(path("csv.db"));
        const int64_t a = store.createRun({"g", "plain", "standard", "{}"});
        const int64_t b = store.createRun({"g", "tricky, \"quoted\"\nname", "diff", "{}"});
        store.appendMetrics(a, {{1, "loss", 0.1, 512, 1.5}, {2, "loss", 1.0 / 3.0, 1024, 3.0}});
        store.appendMetrics(b, {{1, "val,ppl", 1e-300, 7, 0.0},
                                {1, "nan", std::numeric_limits<double>::quiet_NaN(), 0, 0.0},
                                {5, "q\"m", -2.5e20, 8, 0.125}});

        const std::string csv = metricsCsv(store, {b, a});
        QVERIFY(csv.rfind("run_id,run_name,kind,step,name,value,tokens,wall_time\n", 0) == 0);
        QVERIFY(csv.find("\"tricky, \"\"quoted\"\"\nname\"") != std::string::npos);
        QVERIFY(csv.find(",0.1,512,1.5\n") != std::string::npos);  // shortest exact text

        const auto rows = parseCsv(csv);
        QCOMPARE(rows.size(), size_t(1 + 3 + 2));
        for (const auto& row : rows) QCOMPARE(row.size(), size_t(8));
        const std::string bId = std::to_string(b);
        QCOMPARE(rows[1], (std::vector<std::string>{bId, "tricky, \"quoted\"\nname", "diff", "1", "nan",
                                                    "nan", "0", "0"}));
        QCOMPARE(rows[2][4], std::string("val,ppl"));
        QCOMPARE(std::stod(rows[2][5]), 1e-300);
        QCOMPARE(rows[3][4], std::string("q\"m"));
        QCOMPARE(std::stod(rows[3][5]), -2.5e20);
        QCOMPARE(rows[4][0], std::to_string(a));
        QCOMPARE(rows[4][1], std::string("plain"));
        QCOMPARE(std::stod(rows[5][5]), 1.0 / 3.0);  // reads back exactly
        QCOMPARE(rows[5][6], std::string("1024"));

        QCOMPARE(csvField("a,b"), std::string("\"a,b\""));
        QCOMPARE(csvField("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
        QCOMPARE(csvField("cr\r"), std::string("\"cr\r\""));
        QCOMPARE(csvField("plain"), std::string("plain"));
        QVERIFY(!errorOf([&] { metricsCsv(store, {a, b + 10}); }).empty());
        QCOMPARE(parseCsv(metricsCsv(store, {})).size(), size_t(1));
    }

    void jsonExportParsesBack() {
        RunStore store = RunStore::open(path("json.db"));
        const int64_t id =
            store.createRun({"pair", "diff \"run\"", "diff", R"({"model":{"d_model":64},"lr":0.001})"});
        store.setTags(id, {"a", "b"});
        store.setNotes(id, "notes\nwith \xff invalid UTF-8");
        store.setLastStep(id, 20);
        store.appendMetrics(
            id, {{10, "loss", 3.0, 100, 1.0}, {20, "loss", 2.0, 200, 2.0}, {10, "lambda/0", 0.8}});
        store.addCheckpoint(id, 20, "/c/20.pt");
        store.addProbeRows({probeRow(id, 20, 0.5, 0, 0, 1.0), probeRow(id, 20, 0.5, 0, 1, 2.0)});
        store.setStatus(id, RunStatus::Finished);

        const nlohmann::json j = nlohmann::json::parse(runJson(store, id));
        QCOMPARE(j.at("id").get<int64_t>(), id);
        QCOMPARE(j.at("name").get<std::string>(), std::string("diff \"run\""));
        QCOMPARE(j.at("group").get<std::string>(), std::string("pair"));
        QCOMPARE(j.at("kind").get<std::string>(), std::string("diff"));
        QCOMPARE(j.at("status").get<std::string>(), std::string("finished"));
        QVERIFY(j.at("finished_at").get<int64_t>() > 0);
        QCOMPARE(j.at("last_step").get<int64_t>(), int64_t(20));
        QCOMPARE(j.at("tags"), nlohmann::json({"a", "b"}));
        QCOMPARE(j.at("config").at("model").at("d_model").get<int>(), 64);
        QCOMPARE(j.at("config").at("lr").get<double>(), 0.001);
        QCOMPARE(j.at("checkpoints").size(), size_t(1));
        QCOMPARE(j.at("checkpoints")[0].at("path").get<std::string>(), std::string("/c/20.pt"));
        QCOMPARE(j.at("final_metrics").at("loss").at("step").get<int64_t>(), int64_t(20));
        QCOMPARE(j.at("final_metrics").at("loss").at("value").get<double>(), 2.0);
        QCOMPARE(j.at("final_metrics").at("lambda/0").at("value").get<double>(), 0.8);
        QCOMPARE(j.at("probe").size(), size_t(1));
        QCOMPARE(j.at("probe")[0].at("rows").get<int64_t>(), int64_t(2));
        QCOMPARE(j.at("probe")[0].at("hit_rate").get<double>(), 0.5);
        QCOMPARE(j.at("probe")[0].at("signed").at("answer").get<double>(), 1.5 + 0.2);

        const int64_t bare = store.createRun({"", "bare", "standard", ""});
        const nlohmann::json k = nlohmann::json::parse(runJson(store, bare));
        QVERIFY(k.at("config").is_null());
        QVERIFY(k.at("probe").empty());
        QVERIFY(k.at("final_metrics").empty());
        QVERIFY(!errorOf([&] { runJson(store, bare + 1); }).empty());
    }
};

QTEST_APPLESS_MAIN(TestStore)
#include "test_store.moc"
