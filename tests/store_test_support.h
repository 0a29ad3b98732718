#pragma once
// Helpers for tests that damage a run store file on purpose: its bytes, its side files, and a page that
// SQLite's own quick_check finds broken. Plain C++ and SQLite, no Qt.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace storetest {

inline std::vector<char> fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline bool writeBytes(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    return bool(out);
}

// -wal, -shm or -journal beside `path`.
inline bool hasSideFiles(const std::string& path) {
    std::error_code ec;
    for (const char* suffix : {"-wal", "-shm", "-journal"})
        if (std::filesystem::exists(path + suffix, ec)) return true;
    return false;
}

// SQLite's quick_check of a file, read as immutable (creates nothing): "ok" or the problems found.
inline std::string quickCheck(const std::string& path) {
    sqlite3* db = nullptr;
    const std::string uri = "file:" + std::filesystem::absolute(path).string() + "?immutable=1";
    std::string result;
    if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) == SQLITE_OK) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, nullptr) == SQLITE_OK) {
            int rc;
            while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
                result += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
            if (rc != SQLITE_DONE) result += std::string(" error: ") + sqlite3_errmsg(db);
        } else {
            result = std::string("error: ") + sqlite3_errmsg(db);
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return result;
}

// Overwrites one page near the middle of the (closed, checkpointed) database file with garbage — the first
// one, from the middle outwards, whose damage quick_check reports (a free page's would go unnoticed).
// Returns the 1-based page number, or 0 when no page qualified.
inline int64_t corruptMiddlePage(const std::string& path) {
    const std::vector<char> original = fileBytes(path);
    if (original.size() < 100) return 0;
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(original[i]); };
    int64_t pageSize = (int64_t(byte(16)) << 8) | byte(17);
    if (pageSize == 1) pageSize = 65536;
    const int64_t pages = int64_t(original.size()) / pageSize;
    std::mt19937 random(12345);
    const std::string probe = path + ".probe";
    for (int64_t distance = 0; distance < pages; ++distance) {
        for (const int64_t page : {pages / 2 + 1 + distance, pages / 2 + 1 - distance}) {
            if (page < 2 || page > pages || (distance == 0 && page != pages / 2 + 1)) continue;
            std::vector<char> damaged = original;
            for (int64_t i = 0; i < pageSize; ++i)
                damaged[size_t((page - 1) * pageSize + i)] = char(random());
            if (!writeBytes(probe, damaged)) return 0;
            const bool noticed = quickCheck(probe) != "ok";
            std::filesystem::remove(probe);
            if (noticed) return writeBytes(path, damaged) ? page : 0;
        }
    }
    return 0;
}

}  // namespace storetest
