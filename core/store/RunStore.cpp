#include "core/store/RunStore.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/store/RunOwner.h"
#include "core/store/Schema.h"
#include "core/store/StoreFile.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr const char* kRunColumns =
    "SELECT id, group_name, name, kind, config, status, created_at, finished_at, tags, notes, last_step, "
    "owner_host, owner_pid, owner_token FROM runs ";

int64_t nowSeconds() {
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<std::string> tagsFromJson(const std::string& text) {
    std::vector<std::string> tags;
    const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_array()) return tags;
    for (const auto& tag : parsed) {
        if (tag.is_string()) tags.push_back(tag.get<std::string>());
    }
    return tags;
}

RunRecord readRun(const sqlite::Statement& stmt) {
    RunRecord run;
    run.id = stmt.columnInt(0);
    run.group = stmt.columnText(1);
    run.name = stmt.columnText(2);
    run.kind = stmt.columnText(3);
    run.configJson = stmt.columnText(4);
    run.status = runStatusFromString(stmt.columnText(5));
    run.createdAt = stmt.columnInt(6);
    run.finishedAt = stmt.columnInt(7);
    run.tags = tagsFromJson(stmt.columnText(8));
    run.notes = stmt.columnText(9);
    run.lastStep = stmt.columnInt(10);
    run.owner = RunOwner{stmt.columnText(11), stmt.columnInt(12), stmt.columnText(13)};
    run.writerGone = run.status == RunStatus::Running && ownerState(run.owner) == OwnerState::Dead;
    return run;
}

std::vector<RunRecord> readRuns(sqlite::Statement& stmt) {
    std::vector<RunRecord> runs;
    while (stmt.step()) runs.push_back(readRun(stmt));
    return runs;
}

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool matchesText(const RunRecord& run, const std::string& needle) {
    auto has = [&](const std::string& field) { return lowered(field).find(needle) != std::string::npos; };
    if (has(run.name) || has(run.group) || has(run.kind) || has(run.notes)) return true;
    return std::any_of(run.tags.begin(), run.tags.end(), has);
}

// A run whose owner may still be writing it: alive (this process too), or on another host where that
// cannot be checked.
bool beingTrained(const RunRecord& run) {
    return run.status == RunStatus::Running && ownerState(run.owner) != OwnerState::Dead;
}

int64_t insertRun(const sqlite::Database& db, const NewRun& run, const RunOwner& owner) {
    sqlite::Statement stmt(
        db,
        "INSERT INTO runs (group_name, name, kind, config, status, created_at, owner_host, "
        "owner_pid, owner_token) VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8)");
    stmt.bindText(1, run.group).bindText(2, run.name).bindText(3, run.kind).bindText(4, run.configJson);
    stmt.bindInt(5, nowSeconds()).bindText(6, owner.host).bindInt(7, owner.pid).bindText(8, owner.token);
    stmt.run();
    return db.lastInsertId();
}

MetricPoint readMetric(const sqlite::Statement& stmt) {
    MetricPoint point;
    point.step = stmt.columnInt(0);
    point.name = stmt.columnText(1);
    point.value = stmt.columnDouble(2);
    point.tokens = stmt.columnInt(3);
    point.wallTime = stmt.columnDouble(4);
    return point;
}

}  // namespace

RunStore::RunStore(sqlite::Database db, bool readOnly) : db_(std::move(db)), readOnly_(readOnly) {}

RunStore RunStore::open(const std::string& path, bool readOnly) {
    RunStore store(openStoreFile(path, readOnly), readOnly);
    if (!readOnly) store.markOrphanedRunsInterrupted();
    return store;
}

const std::string& RunStore::path() const { return db_.path(); }

int RunStore::schemaVersion() const {
    sqlite::Statement stmt(db_, "PRAGMA user_version");
    return stmt.step() ? static_cast<int>(stmt.columnInt(0)) : 0;
}

int RunStore::currentSchemaVersion() { return schema::currentVersion(); }

void RunStore::requireWritable(const std::string& what) const {
    if (readOnly_) throw Error("Run store '" + path() + "' was opened read-only: cannot " + what);
}

void RunStore::requireRun(int64_t id) const {
    sqlite::Statement stmt(db_, "SELECT 1 FROM runs WHERE id = ?1");
    stmt.bindInt(1, id);
    if (!stmt.step())
        throw Error("Run store '" + path() + "': there is no run with id " + std::to_string(id));
}

void RunStore::markOrphanedRunsInterrupted() {
    const sqlite::Database::Activity activity(db_, "cannot mark abandoned runs as interrupted");
    std::vector<std::pair<int64_t, RunOwner>> orphans;
    {
        sqlite::Statement stmt(db_,
                               "SELECT id, owner_host, owner_pid, owner_token FROM runs "
                               "WHERE status = 'running' ORDER BY id");
        while (stmt.step()) {
            RunOwner owner{stmt.columnText(1), stmt.columnInt(2), stmt.columnText(3)};
            if (ownerState(owner) == OwnerState::Dead)
                orphans.emplace_back(stmt.columnInt(0), std::move(owner));
        }
    }
    if (orphans.empty()) return;
    sqlite::WriteTransaction transaction(db_);
    // Only if still owned by the dead writer: another process may have resumed it meanwhile.
    sqlite::Statement update(
        db_,
        "UPDATE runs SET status = 'interrupted', finished_at = 0 WHERE id = ?1 "
        "AND status = 'running' AND owner_host = ?2 AND owner_pid = ?3 AND owner_token = ?4");
    for (const auto& [id, owner] : orphans) {
        update.bindInt(1, id).bindText(2, owner.host).bindInt(3, owner.pid).bindText(4, owner.token);
        update.run();
        if (db_.changes() > 0) interruptedOnOpen_.push_back(id);
        update.reset();
    }
    transaction.commit();
}

void RunStore::requireValidConfig(const NewRun& run) const {
    if (!run.configJson.empty() && !nlohmann::json::accept(run.configJson)) {
        throw Error("Run store '" + path() + "': the configuration of run '" + run.name +
                    "' is not valid JSON");
    }
}

int64_t RunStore::createRun(const NewRun& run) {
    requireWritable("create a run");
    requireValidConfig(run);
    const sqlite::Database::Activity activity(db_, "cannot create run '" + run.name + "'");
    const RunOwner owner = currentRunOwner();
    sqlite::WriteTransaction transaction(db_);
    const int64_t id = insertRun(db_, run, owner);
    transaction.commit();
    return id;
}

ClaimedGroup RunStore::createGroup(const std::string& base,
                                   const std::function<std::vector<NewRun>(const std::string&)>& makeRuns,
                                   const std::function<bool(const std::string&)>& isFree) {
    requireWritable("create the runs of group '" + base + "'");
    const sqlite::Database::Activity activity(db_, "cannot create the runs of group '" + base + "'");
    const RunOwner owner = currentRunOwner();
    // The write lock is taken before the name is chosen: no other writer can pick it meanwhile.
    sqlite::WriteTransaction transaction(db_);
    ClaimedGroup claimed;
    sqlite::Statement used(db_, "SELECT 1 FROM runs WHERE group_name = ?1 LIMIT 1");
    for (int suffix = 1;; ++suffix) {
        if (suffix > 100000) throw Error("Run store '" + path() + "': no free group name for '" + base + "'");
        claimed.group = suffix == 1 ? base : base + "-" + std::to_string(suffix);
        used.bindText(1, claimed.group);
        const bool taken = used.step();
        used.reset();
        if (!taken && (!isFree || isFree(claimed.group))) break;
    }
    for (NewRun run : makeRuns(claimed.group)) {
        run.group = claimed.group;
        requireValidConfig(run);
        claimed.runIds.push_back(insertRun(db_, run, owner));
    }
    transaction.commit();
    return claimed;
}

std::vector<RunRecord> RunStore::claimForResume(int64_t runId) {
    const std::string id = std::to_string(runId);
    requireWritable("resume run " + id);
    const sqlite::Database::Activity activity(db_, "cannot resume run " + id);
    const RunOwner owner = currentRunOwner();
    sqlite::WriteTransaction transaction(db_);
    const RunRecord anchor = run(runId);
    if (anchor.status == RunStatus::Finished) throw Error("run " + id + " has already finished");
    std::vector<RunRecord> runs = group(anchor.group);
    if (beingTrained(anchor))
        throw Error("run " + id + " is being trained by " + ownerDescription(anchor.owner));
    for (const RunRecord& r : runs) {
        if (beingTrained(r)) {
            throw Error("run " + std::to_string(r.id) + " (paired with run " + id + ") is being trained by " +
                        ownerDescription(r.owner));
        }
    }
    sqlite::Statement claim(db_,
                            "UPDATE runs SET status = 'running', finished_at = 0, owner_host = ?2, "
                            "owner_pid = ?3, owner_token = ?4 WHERE group_name = ?1");
    claim.bindText(1, anchor.group).bindText(2, owner.host).bindInt(3, owner.pid).bindText(4, owner.token);
    claim.run();
    transaction.commit();
    return runs;
}

RunRecord RunStore::run(int64_t id) const {
    sqlite::Statement stmt(db_, std::string(kRunColumns) + "WHERE id = ?1");
    stmt.bindInt(1, id);
    if (!stmt.step())
        throw Error("Run store '" + path() + "': there is no run with id " + std::to_string(id));
    return readRun(stmt);
}

std::vector<RunRecord> RunStore::runs(const RunFilter& filter) const {
    sqlite::Statement stmt(db_, std::string(kRunColumns) +
                                    (filter.group.empty() ? "" : "WHERE group_name = ?1 ") +
                                    "ORDER BY id DESC");
    if (!filter.group.empty()) stmt.bindText(1, filter.group);
    std::vector<RunRecord> all = readRuns(stmt);
    if (filter.text.empty()) return all;
    const std::string needle = lowered(filter.text);
    all.erase(
        std::remove_if(all.begin(), all.end(), [&](const RunRecord& r) { return !matchesText(r, needle); }),
        all.end());
    return all;
}

std::vector<RunRecord> RunStore::group(const std::string& group) const {
    sqlite::Statement stmt(db_, std::string(kRunColumns) + "WHERE group_name = ?1 ORDER BY id");
    stmt.bindText(1, group);
    return readRuns(stmt);
}

void RunStore::setStatus(int64_t id, RunStatus status) {
    requireWritable("change the status of run " + std::to_string(id));
    const sqlite::Database::Activity activity(db_, "cannot change the status of run " + std::to_string(id));
    sqlite::WriteTransaction transaction(db_);
    if (status == RunStatus::Running) {
        const RunOwner owner = currentRunOwner();
        sqlite::Statement stmt(db_,
                               "UPDATE runs SET status = 'running', finished_at = 0, owner_host = ?2, "
                               "owner_pid = ?3, owner_token = ?4 WHERE id = ?1");
        stmt.bindInt(1, id).bindText(2, owner.host).bindInt(3, owner.pid).bindText(4, owner.token).run();
    } else {
        const bool ends = status != RunStatus::Interrupted;
        sqlite::Statement stmt(db_, "UPDATE runs SET status = ?2, finished_at = ?3 WHERE id = ?1");
        stmt.bindInt(1, id).bindText(2, statusName(status)).bindInt(3, ends ? nowSeconds() : 0).run();
    }
    if (db_.changes() == 0) requireRun(id);
    transaction.commit();
}

void RunStore::setTags(int64_t id, const std::vector<std::string>& tags) {
    requireWritable("change the tags of run " + std::to_string(id));
    const sqlite::Database::Activity activity(db_, "cannot change the tags of run " + std::to_string(id));
    sqlite::WriteTransaction transaction(db_);
    sqlite::Statement stmt(db_, "UPDATE runs SET tags = ?2 WHERE id = ?1");
    stmt.bindInt(1, id)
        .bindText(2, nlohmann::json(tags).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .run();
    if (db_.changes() == 0) requireRun(id);
    transaction.commit();
}

void RunStore::setNotes(int64_t id, const std::string& notes) {
    requireWritable("change the notes of run " + std::to_string(id));
    const sqlite::Database::Activity activity(db_, "cannot change the notes of run " + std::to_string(id));
    sqlite::WriteTransaction transaction(db_);
    sqlite::Statement stmt(db_, "UPDATE runs SET notes = ?2 WHERE id = ?1");
    stmt.bindInt(1, id).bindText(2, notes).run();
    if (db_.changes() == 0) requireRun(id);
    transaction.commit();
}

void RunStore::setLastStep(int64_t id, int64_t step) {
    requireWritable("record the progress of run " + std::to_string(id));
    const sqlite::Database::Activity activity(db_, "cannot record the progress of run " + std::to_string(id));
    sqlite::WriteTransaction transaction(db_);
    sqlite::Statement stmt(db_, "UPDATE runs SET last_step = ?2 WHERE id = ?1");
    stmt.bindInt(1, id).bindInt(2, step).run();
    if (db_.changes() == 0) requireRun(id);
    transaction.commit();
}

std::vector<std::string> RunStore::deleteRun(int64_t id) {
    requireWritable("delete run " + std::to_string(id));
    const sqlite::Database::Activity activity(db_, "cannot delete run " + std::to_string(id));
    sqlite::WriteTransaction transaction(db_);
    if (const RunRecord doomed = run(id); beingTrained(doomed)) {
        throw Error("run " + std::to_string(id) + " is being trained by " + ownerDescription(doomed.owner) +
                    "; stop it first");
    }
    std::vector<std::string> paths;
    {
        sqlite::Statement stmt(db_, "SELECT path FROM checkpoints WHERE run_id = ?1 ORDER BY step");
        stmt.bindInt(1, id);
        while (stmt.step()) paths.push_back(stmt.columnText(0));
    }
    sqlite::Statement remove(db_, "DELETE FROM runs WHERE id = ?1");  // cascades to every other table
    remove.bindInt(1, id).run();
    transaction.commit();
    return paths;
}

void RunStore::appendMetrics(int64_t runId, const std::vector<MetricPoint>& points) {
    if (points.empty()) return;
    requireWritable("save metrics of run " + std::to_string(runId));
    const sqlite::Database::Activity activity(db_, "cannot save metrics of run " + std::to_string(runId));
    for (const MetricPoint& point : points) {
        if (point.name.empty())
            throw Error("Run store '" + path() + "': a metric of run " + std::to_string(runId) +
                        " has no name");
    }
    sqlite::WriteTransaction transaction(db_);
    requireRun(runId);
    sqlite::Statement stmt(db_,
                           "INSERT OR REPLACE INTO metrics (run_id, name, step, value, tokens, wall_time) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (const MetricPoint& point : points) {
        stmt.bindInt(1, runId).bindText(2, point.name).bindInt(3, point.step).bindDouble(4, point.value);
        stmt.bindInt(5, point.tokens).bindDouble(6, point.wallTime);
        stmt.run();
        stmt.reset();
    }
    transaction.commit();
}

std::vector<MetricPoint> RunStore::metrics(int64_t runId, const std::string& name) const {
    const std::string columns = "SELECT step, name, value, tokens, wall_time FROM metrics WHERE run_id = ?1 ";
    sqlite::Statement stmt(
        db_, name.empty() ? columns + "ORDER BY step, name" : columns + "AND name = ?2 ORDER BY step");
    stmt.bindInt(1, runId);
    if (!name.empty()) stmt.bindText(2, name);
    std::vector<MetricPoint> points;
    while (stmt.step()) points.push_back(readMetric(stmt));
    return points;
}

std::vector<std::string> RunStore::metricNames(int64_t runId) const {
    sqlite::Statement stmt(db_, "SELECT DISTINCT name FROM metrics WHERE run_id = ?1 ORDER BY name");
    stmt.bindInt(1, runId);
    std::vector<std::string> names;
    while (stmt.step()) names.push_back(stmt.columnText(0));
    return names;
}

std::vector<MetricPoint> RunStore::latestMetrics(int64_t runId) const {
    sqlite::Statement stmt(db_,
                           "SELECT m.step, m.name, m.value, m.tokens, m.wall_time FROM metrics AS m "
                           "WHERE m.run_id = ?1 AND m.step = "
                           "(SELECT MAX(step) FROM metrics WHERE run_id = ?1 AND name = m.name) "
                           "ORDER BY m.name");
    stmt.bindInt(1, runId);
    std::vector<MetricPoint> points;
    while (stmt.step()) points.push_back(readMetric(stmt));
    return points;
}

void RunStore::addCheckpoint(int64_t runId, int64_t step, const std::string& checkpointPath) {
    requireWritable("record a checkpoint of run " + std::to_string(runId));
    const sqlite::Database::Activity activity(db_,
                                              "cannot record a checkpoint of run " + std::to_string(runId));
    sqlite::WriteTransaction transaction(db_);
    requireRun(runId);
    sqlite::Statement stmt(db_,
                           "INSERT OR REPLACE INTO checkpoints (run_id, step, path, created_at) "
                           "VALUES (?1, ?2, ?3, ?4)");
    stmt.bindInt(1, runId).bindInt(2, step).bindText(3, checkpointPath).bindInt(4, nowSeconds()).run();
    transaction.commit();
}

std::vector<CheckpointRecord> RunStore::checkpoints(int64_t runId) const {
    sqlite::Statement stmt(
        db_, "SELECT run_id, step, path, created_at FROM checkpoints WHERE run_id = ?1 ORDER BY step");
    stmt.bindInt(1, runId);
    std::vector<CheckpointRecord> records;
    while (stmt.step()) {
        records.push_back({stmt.columnInt(0), stmt.columnInt(1), stmt.columnText(2), stmt.columnInt(3)});
    }
    return records;
}

void RunStore::checkpointWal() {
    requireWritable("copy its write-ahead log into the database file");
    const sqlite::Database::Activity activity(db_, "cannot copy its write-ahead log into the database file");
    sqlite::Statement stmt(db_, "PRAGMA wal_checkpoint(PASSIVE)");  // a busy checkpoint is no error here
    stmt.run();
}

}  // namespace needlescope
