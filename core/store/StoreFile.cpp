#include "core/store/StoreFile.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include "core/store/Schema.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw Error("Run store '" + path + "': " + problem);
}

// Names the missing or non-folder ancestor, so "cannot open" becomes something a user can fix.
void checkPath(const std::string& path, bool readOnly) {
    if (path.empty()) throw Error("Run store: no database path was given");
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status)) fail(path, "this is a folder, not a database file");
    if (fs::exists(status)) return;
    if (readOnly) fail(path, "the file does not exist (a read-only store cannot be created)");

    fs::path folder = fs::path(path).parent_path();
    if (folder.empty()) folder = ".";
    for (fs::path ancestor = folder; !ancestor.empty(); ancestor = ancestor.parent_path()) {
        const fs::file_status s = fs::status(ancestor, ec);
        if (fs::exists(s)) {
            if (!fs::is_directory(s)) {
                fail(path, "cannot create it: '" + ancestor.string() + "' is a file, not a folder");
            }
            if (ancestor != folder)
                fail(path, "cannot create it: the folder '" + folder.string() + "' does not exist");
            return;
        }
        if (ancestor == ancestor.parent_path()) break;
    }
}

// "file:" URI for `path` with the characters that URIs reserve percent-encoded.
std::string fileUri(const std::string& path, const std::string& query) {
    static const char* hex = "0123456789ABCDEF";
    std::string uri = "file:";
    for (unsigned char c : fs::absolute(path).string()) {
        if (c == '%' || c == '?' || c == '#' || c < 0x21 || c > 0x7e) {
            uri += '%';
            uri += hex[c >> 4];
            uri += hex[c & 15];
        } else {
            uri += static_cast<char>(c);
        }
    }
    return uri + "?" + query;
}

sqlite::Database openReadOnly(const std::string& path) {
    sqlite::Database db = sqlite::Database::open(path, SQLITE_OPEN_READONLY);
    db.exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs));
    // A WAL file whose folder is read-only and that has no -shm file cannot be read normally; if no -wal
    // file holds pending changes either, the database file alone is complete and can be read as immutable.
    const int rc = db.tryExec("SELECT count(*) FROM sqlite_master");
    const bool cannotShare =
        (rc & 0xff) == SQLITE_CANTOPEN || rc == SQLITE_READONLY_CANTINIT || rc == SQLITE_READONLY_CANTLOCK;
    std::error_code ec;
    if (cannotShare && !fs::exists(path + "-wal", ec)) {
        db = sqlite::Database::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                                    fileUri(path, "immutable=1"));
    }
    db.exec("PRAGMA query_only = ON");

    const int version = schema::inspect(db);
    if (version == 0) fail(path, "the file is empty, not a run store yet");
    if (version < schema::currentVersion()) {
        fail(path, "it has the older schema version " + std::to_string(version) +
                       "; a program that writes to it (training, probing, tagging a run, the GUI's Runs "
                       "view) upgrades it");
    }
    return db;
}

sqlite::Database openReadWrite(const std::string& path) {
    sqlite::Database db = sqlite::Database::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs));
    if (db.isReadOnly()) {
        fail(path,
             "the file or its folder is not writable (read-only location?); copy it to a writable location "
             "to change it (listing, showing, exporting and reports only read it)");
    }
    schema::inspect(db);  // before anything below writes to the file

    const sqlite::Database::Activity activity(db, "cannot set it up");
    std::string mode;
    {
        sqlite::Statement journal(db, "PRAGMA journal_mode = WAL");
        if (journal.step()) mode = journal.columnText(0);
    }
    if (mode != "wal") {
        fail(path, "cannot switch it to write-ahead logging (journal mode is '" + mode +
                       "'); is it on a network file system?");
    }
    db.exec("PRAGMA synchronous = NORMAL");  // in WAL mode: durable across crashes of the process
    db.exec("PRAGMA foreign_keys = ON");
    schema::migrate(db);
    return db;
}

}  // namespace

sqlite::Database openStoreFile(const std::string& path, bool readOnly) {
    checkPath(path, readOnly);
    return readOnly ? openReadOnly(path) : openReadWrite(path);
}

}  // namespace needlescope
