#pragma once
// Whole-file reads and atomic writes with user-facing errors that name the file and the reason.
#include <string>
#include <string_view>

namespace needlescope {

// Reads every byte of a regular file. Throws Error for a missing path, a directory or an unreadable file.
std::string readFileBytes(const std::string& path);

// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so readers
// never see a half-written file.
void writeFileAtomically(const std::string& path, std::string_view bytes);

// Creates `dir` and its parents if needed; throws Error when that is impossible.
void ensureDirectory(const std::string& dir);

}  // namespace needlescope
