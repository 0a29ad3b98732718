#pragma once
// A tiny RAII layer over sqlite3 / sqlite3_stmt that turns every failure into a needlescope::Error
// naming the database file and the problem in words a user can act on.
#include <cstdint>
#include <memory>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace needlescope::sqlite {

class Database {
  public:
    // `flags` are sqlite3_open_v2 flags. Throws Error when the file cannot be opened.
    static Database open(const std::string& path, int flags, const std::string& uri = {});

    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;

    sqlite3* handle() const { return db_.get(); }
    const std::string& path() const { return path_; }

    void exec(const std::string& sql) const;    // one or more statements without results
    int tryExec(const std::string& sql) const;  // like exec() but returns the SQLite result code
    int64_t lastInsertId() const;
    int changes() const;  // rows touched by the last INSERT/UPDATE/DELETE
    bool isReadOnly() const;

    // Throws Error("Run store '<path>': <what>: <explanation of rc>"), where <what> is the innermost
    // Activity in force (e.g. "cannot save metrics of run 3") or else `what`.
    [[noreturn]] void fail(int rc, const std::string& what) const;

    // Names what the connection is doing, for error messages, while it lives.
    class Activity {
      public:
        Activity(const Database& db, std::string what);
        ~Activity();
        Activity(const Activity&) = delete;
        Activity& operator=(const Activity&) = delete;

      private:
        const Database& db_;
        std::string previous_;
    };

  private:
    struct Close {
        void operator()(sqlite3* db) const;
    };
    Database(std::unique_ptr<sqlite3, Close> db, std::string path);
    std::unique_ptr<sqlite3, Close> db_;
    std::string path_;
    mutable std::string activity_;
};

// A prepared statement; bind parameters are 1-based, columns 0-based.
class Statement {
  public:
    Statement(const Database& db, const std::string& sql);
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;

    Statement& bindInt(int index, int64_t value);
    Statement& bindDouble(int index, double value);  // NaN is stored as NULL (SQLite has no NaN)
    Statement& bindText(int index, const std::string& value);

    bool step();   // true while a row is available; throws on error
    void run();    // step() for statements that return no rows
    void reset();  // ready for the next step()/bind, bindings cleared

    bool isNull(int column) const;
    int64_t columnInt(int column) const;
    double columnDouble(int column) const;  // NULL reads as NaN
    std::string columnText(int column) const;

  private:
    struct Finalize {
        void operator()(sqlite3_stmt* stmt) const;
    };
    const Database* db_;
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so a read can never have to be
// upgraded mid-transaction, which SQLite would refuse with "database is locked"); rolls back in the
// destructor unless commit() was called.
class WriteTransaction {
  public:
    explicit WriteTransaction(const Database& db);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    void commit();

  private:
    const Database& db_;
    bool open_ = true;
};

}  // namespace needlescope::sqlite
