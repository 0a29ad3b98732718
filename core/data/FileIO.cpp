#include "core/data/FileIO.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/util/Error.h"

namespace needlescope {
namespace fs = std::filesystem;

namespace {

// Closes a POSIX file descriptor on scope exit.
struct FdCloser {
    int fd;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::string readFileBytes(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT) throw Error(path + ": file not found");
        throw Error(path + ": cannot be read (" + std::strerror(err) + ")");
    }
    FdCloser closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0) throw Error(path + ": cannot be read (" + std::strerror(errno) + ")");
    if (S_ISDIR(info.st_mode)) throw Error(path + ": is a directory, not a text file");
    if (!S_ISREG(info.st_mode)) throw Error(path + ": is not a regular file");

    std::string bytes;
    bytes.resize(static_cast<size_t>(info.st_size));
    size_t filled = 0;
    while (true) {
        if (filled == bytes.size()) bytes.resize(bytes.size() + (1 << 16));  // the file may have grown
        const ssize_t got = ::read(fd, bytes.data() + filled, bytes.size() - filled);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw Error(path + ": cannot be read (" + std::strerror(errno) + ")");
        }
        if (got == 0) break;
        filled += static_cast<size_t>(got);
    }
    bytes.resize(filled);
    return bytes;
}

void writeFileAtomically(const std::string& path, std::string_view bytes) {
    const std::string temp = path + ".tmp" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(temp + ": cannot be written (" + std::strerror(errno) + ")");
    {
        FdCloser closer{fd};
        size_t written = 0;
        while (written < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                const int err = errno;
                ::unlink(temp.c_str());
                throw Error(path + ": cannot be written (" + std::strerror(err) + ")");
            }
            written += static_cast<size_t>(n);
        }
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw Error(path + ": cannot be replaced (" + std::strerror(err) + ")");
    }
}

namespace {

// Up to 9 digits: a pid, never large enough to wrap pid_t into kill()'s "every process" values.
bool allDigits(const std::string& text) {
    return !text.empty() && text.size() <= 9 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The pid a temporary file name carries (0 when the name is not one of ours).
long tempFileOwner(const std::string& name) {
    const auto tmp = name.rfind(".tmp");
    if (tmp != std::string::npos && allDigits(name.substr(tmp + 4)))
        return std::strtol(name.c_str() + tmp + 4, nullptr, 10);
    for (const char* prefix : {"train-input.", "tokenizer."}) {
        const std::string p = prefix;
        if (name.compare(0, p.size(), p) != 0) continue;
        const auto dot = name.find('.', p.size());
        const std::string pid =
            name.substr(p.size(), dot == std::string::npos ? std::string::npos : dot - p.size());
        if (allDigits(pid)) return std::strtol(pid.c_str(), nullptr, 10);
    }
    return 0;
}

bool processExists(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

}  // namespace

int removeStaleTempFiles(const std::string& dir) {
    std::error_code ec;
    int removed = 0;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const long owner = tempFileOwner(name);
        const bool legacyCheckpointTemp = name.size() > 7 && name.compare(name.size() - 7, 7, ".pt.tmp") == 0;
        if (!legacyCheckpointTemp && (owner <= 0 || processExists(owner))) continue;
        std::error_code removeError;
        if (it->is_regular_file(removeError) && fs::remove(it->path(), removeError)) ++removed;
    }
    return removed;
}

void ensureDirectory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir + ": cannot create the folder (" + ec.message() + ")");
    if (!fs::is_directory(dir, ec)) throw Error(dir + ": exists but is not a folder");
}

}  // namespace needlescope
