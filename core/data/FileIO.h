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

// Removes the temporary files that a killed process left in `dir` (not recursive): names ending in
// ".tmp<pid>" and the tokenizer's "train-input.<pid>.txt" / "tokenizer.<pid>.model|vocab", whose process
// no longer exists, and the pid-less "*.pt.tmp" of older builds. Returns how many it removed; never throws.
int removeStaleTempFiles(const std::string& dir);

// Creates `dir` and its parents if needed; throws Error when that is impossible.
void ensureDirectory(const std::string& dir);

}  // namespace needlescope
