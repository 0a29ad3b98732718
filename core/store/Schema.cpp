#include "core/store/Schema.h"

#include <string>

#include "core/util/Error.h"

namespace needlescope::schema {
namespace {

constexpr const char* kVersion1 = R"sql(
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so old ids in logs stay unambiguous
    group_name  TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    config      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL
                CHECK (status IN ('running', 'finished', 'interrupted', 'cancelled', 'failed')),
    created_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0,
    tags        TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    notes       TEXT NOT NULL DEFAULT '',
    last_step   INTEGER NOT NULL DEFAULT 0,
    owner_host  TEXT NOT NULL DEFAULT '',    -- the process that writes a 'running' run (RunOwner.h)
    owner_pid   INTEGER NOT NULL DEFAULT 0,
    owner_token TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_group ON runs (group_name);
CREATE INDEX runs_by_status ON runs (status);

-- One value per (run, metric, step); writing the same step again (a resumed run) replaces it.
CREATE TABLE metrics (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    step      INTEGER NOT NULL,
    value     REAL,                          -- NULL stands for NaN
    tokens    INTEGER NOT NULL DEFAULT 0,
    wall_time REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
    run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    path       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, step)
);
)sql";

constexpr const char* kVersion2 = R"sql(
-- One probed (sample, layer, head) at one step, context length and needle depth (DESIGN §4).
CREATE TABLE probe_results (
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step           INTEGER NOT NULL,
    context_length INTEGER NOT NULL,
    depth          REAL NOT NULL,
    needles        INTEGER NOT NULL,
    sample         INTEGER NOT NULL,
    layer          INTEGER NOT NULL,
    head           INTEGER NOT NULL,
    signed_sink    REAL, signed_answer REAL, signed_noise REAL, signed_query REAL,
    abs_sink       REAL, abs_answer    REAL, abs_noise    REAL, abs_query    REAL,
    raw_sink       REAL, raw_answer    REAL, raw_noise    REAL, raw_query    REAL,
    signed_total   REAL,
    hit            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, step, context_length, depth, needles, sample, layer, head)
) WITHOUT ROWID;
)sql";

// Probe settings join the key (a re-probe with another query mode, answer span or seed adds rows instead of
// replacing them), and the placed depth is kept beside the requested one.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE probe_results_v3 (
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step           INTEGER NOT NULL,
    context_length INTEGER NOT NULL,
    depth          REAL NOT NULL,
    needles        INTEGER NOT NULL,
    query_mode     TEXT NOT NULL DEFAULT 'last',
    answer_span    TEXT NOT NULL DEFAULT 'number',
    probe_seed     INTEGER NOT NULL DEFAULT 0,
    sample         INTEGER NOT NULL,
    layer          INTEGER NOT NULL,
    head           INTEGER NOT NULL,
    signed_sink    REAL, signed_answer REAL, signed_noise REAL, signed_query REAL,
    abs_sink       REAL, abs_answer    REAL, abs_noise    REAL, abs_query    REAL,
    raw_sink       REAL, raw_answer    REAL, raw_noise    REAL, raw_query    REAL,
    signed_total   REAL,
    hit            INTEGER NOT NULL DEFAULT 0,
    placed_depth   REAL,
    PRIMARY KEY (run_id, step, context_length, depth, needles, query_mode, answer_span, probe_seed, sample, layer, head)
) WITHOUT ROWID;
INSERT INTO probe_results_v3 (run_id, step, context_length, depth, needles, sample, layer, head,
    signed_sink, signed_answer, signed_noise, signed_query, abs_sink, abs_answer, abs_noise, abs_query,
    raw_sink, raw_answer, raw_noise, raw_query, signed_total, hit, placed_depth)
SELECT run_id, step, context_length, depth, needles, sample, layer, head,
    signed_sink, signed_answer, signed_noise, signed_query, abs_sink, abs_answer, abs_noise, abs_query,
    raw_sink, raw_answer, raw_noise, raw_query, signed_total, hit, depth FROM probe_results;
DROP TABLE probe_results;
ALTER TABLE probe_results_v3 RENAME TO probe_results;
)sql";

int readPragma(const sqlite::Database& db, const char* pragma) {
    sqlite::Statement stmt(db, std::string("PRAGMA ") + pragma);
    return stmt.step() ? static_cast<int>(stmt.columnInt(0)) : 0;
}

}  // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1, "runs, metrics and checkpoints", kVersion1},
        {2, "probe results", kVersion2},
        {3, "probe settings in the probe key, placed depth", kVersion3},
    };
    return all;
}

int currentVersion() { return migrations().back().version; }

int inspect(const sqlite::Database& db) {
    int64_t tableCount = 0;
    int applicationId = 0, version = 0;
    try {
        const sqlite::Database::Activity activity(db, "cannot open it");
        // Reading the schema table makes SQLite parse the header and page 1: this is where a file that is
        // not SQLite, or whose first page is damaged, fails.
        sqlite::Statement tables(db, "SELECT count(*) FROM sqlite_master");
        tableCount = tables.step() ? tables.columnInt(0) : 0;
        applicationId = readPragma(db, "application_id");
        version = readPragma(db, "user_version");
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (the file was left unchanged)");
    }

    if (applicationId != kApplicationId) {
        if (applicationId == 0 && version == 0 && tableCount == 0) return 0;  // new or empty file
        throw Error("Run store '" + db.path() +
                    "': the file is an SQLite database of another program, not a Needlescope run store "
                    "(the file was left unchanged)");
    }
    if (version > currentVersion()) {
        throw Error("Run store '" + db.path() + "': it has schema version " + std::to_string(version) +
                    " but this build of Needlescope only knows versions up to " +
                    std::to_string(currentVersion()) +
                    "; open it with a newer Needlescope (the file was left unchanged)");
    }
    return version;
}

void migrate(const sqlite::Database& db) {
    if (inspect(db) == currentVersion()) return;
    const sqlite::Database::Activity activity(db, "cannot upgrade its schema");
    sqlite::WriteTransaction transaction(db);
    const int version = inspect(db);  // again, under the write lock
    for (const Migration& migration : migrations()) {
        if (migration.version > version) db.exec(migration.sql);
    }
    // PRAGMA arguments cannot be bound; both values are integers from this file, never user input.
    db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec("PRAGMA user_version = " + std::to_string(currentVersion()));
    transaction.commit();
}

}  // namespace needlescope::schema
