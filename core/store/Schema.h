#pragma once
// The run store's tables and their ordered migrations (0 → currentVersion()), kept in PRAGMA user_version.
// A store is recognised by PRAGMA application_id, so another program's SQLite file is never touched.
#include <cstdint>
#include <vector>

#include "core/store/Sqlite.h"

namespace needlescope::schema {

constexpr int32_t kApplicationId = 0x4E53434F;  // "NSCO"

struct Migration {
    int version;  // the user_version after applying `sql`
    const char* description;
    const char* sql;
};

const std::vector<Migration>& migrations();  // ordered; migrations()[i].version == i + 1
int currentVersion();

// Reads the file's header fields without writing anything and returns its schema version (0 for a new,
// empty file). Throws Error, naming the file, when it is not SQLite, is corrupted, belongs to another
// program or has a newer schema than this build knows.
int inspect(const sqlite::Database& db);

// Applies the missing migrations in one write transaction (re-checking the version under the write
// lock, so two processes opening the same old file at once both end up at currentVersion()).
void migrate(const sqlite::Database& db);

}  // namespace needlescope::schema
