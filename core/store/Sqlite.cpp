#include "core/store/Sqlite.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <utility>

#include "core/util/Error.h"

namespace needlescope::sqlite {
namespace {

std::string explain(int rc) {
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return "the database stayed locked by another connection past the time-out";
        case SQLITE_FULL:
            return "the disk is full (or a file size limit was reached)";
        case SQLITE_READONLY:
            return "the database is read-only";
        case SQLITE_CORRUPT:
            return "the database file is corrupted";
        case SQLITE_NOTADB:
            return "the file is not an SQLite database (or its header is damaged)";
        case SQLITE_CANTOPEN:
            return "the file cannot be opened or created there (no permission, or a location that does not "
                   "allow it)";
        case SQLITE_PERM:
        case SQLITE_AUTH:
            return "permission denied";
        case SQLITE_IOERR:
            return "an input/output error occurred (failing disk, full disk or removed file)";
        case SQLITE_NOMEM:
            return "out of memory";
        case SQLITE_CONSTRAINT:
            return "a database constraint was violated";
        default:
            return sqlite3_errstr(rc);
    }
}

}  // namespace

void Database::Close::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Database::Database(std::unique_ptr<sqlite3, Close> db, std::string path)
    : db_(std::move(db)), path_(std::move(path)) {}

Database Database::open(const std::string& path, int flags, const std::string& uri) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(uri.empty() ? path.c_str() : uri.c_str(), &raw, flags, nullptr);
    Database db(std::unique_ptr<sqlite3, Close>(raw), path);
    if (rc != SQLITE_OK) {
        if (!raw) throw Error("Run store '" + path + "': cannot open it: out of memory");
        db.fail(rc, "cannot open it");
    }
    sqlite3_extended_result_codes(raw, 1);
    return db;
}

void Database::fail(int rc, const std::string& what) const {
    std::string message =
        "Run store '" + path_ + "': " + (activity_.empty() ? what : activity_) + ": " + explain(rc);
    const char* detail = db_ ? sqlite3_errmsg(db_.get()) : nullptr;
    // SQLite's own message only when it says more than its generic text for the code (e.g. which constraint).
    if (detail && *detail && std::string(detail) != sqlite3_errstr(rc))
        message += " [SQLite: " + std::string(detail) + "]";
    if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR) throw StorageError(message);
    throw Error(message);
}

void Database::exec(const std::string& sql) const {
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, "cannot execute '" + sql.substr(0, 60) + "'");
}

Database::Activity::Activity(const Database& db, std::string what) : db_(db), previous_(std::move(what)) {
    std::swap(db_.activity_, previous_);
}

Database::Activity::~Activity() { std::swap(db_.activity_, previous_); }

int Database::tryExec(const std::string& sql) const {
    return sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
}

int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(db_.get()); }

int Database::changes() const { return sqlite3_changes(db_.get()); }

bool Database::isReadOnly() const { return sqlite3_db_readonly(db_.get(), "main") == 1; }

void Statement::Finalize::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Statement::Statement(const Database& db, const std::string& sql) : db_(&db) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) db.fail(rc, "cannot prepare '" + sql.substr(0, 60) + "'");
}

Statement& Statement::bindInt(int index, int64_t value) {
    const int rc = sqlite3_bind_int64(stmt_.get(), index, static_cast<sqlite3_int64>(value));
    if (rc != SQLITE_OK) db_->fail(rc, "cannot bind parameter");
    return *this;
}

Statement& Statement::bindDouble(int index, double value) {
    const int rc = std::isnan(value) ? sqlite3_bind_null(stmt_.get(), index)
                                     : sqlite3_bind_double(stmt_.get(), index, value);
    if (rc != SQLITE_OK) db_->fail(rc, "cannot bind parameter");
    return *this;
}

Statement& Statement::bindText(int index, const std::string& value) {
    const int rc =
        sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail(rc, "cannot bind parameter");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // Reset first so the statement releases its locks; keep rc (reset would repeat it anyway).
    sqlite3_reset(stmt_.get());
    db_->fail(rc, "query failed");
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

bool Statement::isNull(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

int64_t Statement::columnInt(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

double Statement::columnDouble(int column) const {
    if (isNull(column)) return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(stmt_.get(), column);
}

std::string Statement::columnText(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
    const int size = sqlite3_column_bytes(stmt_.get(), column);
    return text ? std::string(text, static_cast<size_t>(size)) : std::string();
}

WriteTransaction::WriteTransaction(const Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

WriteTransaction::~WriteTransaction() {
    if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTransaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

}  // namespace needlescope::sqlite
