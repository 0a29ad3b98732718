#pragma once
// Opens the run store's SQLite file: checks the path, configures the connection (WAL, busy time-out,
// foreign keys) and brings the schema up to date — in an order that writes nothing to a file that turns
// out not to be a usable run store.
#include <string>

#include "core/store/Sqlite.h"

namespace needlescope {

// How long a connection waits for another one's write lock before giving up.
constexpr int kBusyTimeoutMs = 15000;

sqlite::Database openStoreFile(const std::string& path, bool readOnly);

}  // namespace needlescope
