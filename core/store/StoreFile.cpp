#include "core/store/StoreFile.h"

#include <sqlite3.h>

#include <algorithm>
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

// Every page readable and well formed (PRAGMA quick_check): a damaged file is reported before anything
// writes to it, instead of when a later write runs into the damage (or builds on it).
void checkIntegrity(const sqlite::Database& db) {
    std::string problems;
    try {
        const sqlite::Database::Activity activity(db, "cannot check it");
        sqlite::Statement check(db, "PRAGMA quick_check(5)");
        while (check.step()) problems += (problems.empty() ? "" : "; ") + check.columnText(0);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (the file was left unchanged)");
    }
    if (problems == "ok") return;
    std::replace(problems.begin(), problems.end(), '\n', ' ');
    fail(db.path(), "the database file is corrupted (" + problems +
                        "); the file was left unchanged: restore it from a backup, or open it read-only to "
                        "read what is still readable");
}

sqlite::Database checkReadable(sqlite::Database db, const std::string& path) {
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

bool fileExists(const std::string& path) {
    std::error_code ec;
    return fs::exists(path, ec);
}

sqlite::Database openReadOnly(const std::string& path) {
    // Without a -wal (or -journal) file no connection has the store open (the last one to close removes
    // it) and the database file alone is complete. Read it as immutable then: a plain read-only open of a
    // WAL file would create -wal and -shm files beside it and leave them behind. A writer that starts
    // meanwhile writes to its new -wal file, not to the database file, until it checkpoints.
    if (!fileExists(path + "-wal") && !fileExists(path + "-journal")) {
        sqlite::Database db = sqlite::Database::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                                                     fileUri(path, "immutable=1"));
        return checkReadable(std::move(db), path);
    }
    sqlite::Database db = sqlite::Database::open(path, SQLITE_OPEN_READONLY);
    db.exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs));
    return checkReadable(std::move(db), path);
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
    checkIntegrity(db);

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
