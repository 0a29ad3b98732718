#include "core/train/CheckpointFile.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/data/FileIO.h"
#include "core/data/Hash.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'N', 'S', 'C', 'K', 'S', 'U', 'M', '1'};
constexpr size_t kTrailerBytes = 24;                 // magic, archive length, hash (little-endian)
constexpr uint64_t kHashSeed = 0x6e65656463686bULL;  // fixed: the trailer format depends on it
constexpr uint64_t kStoreMargin = 1 << 20;           // left free for the run store's own writes

void putU64(std::string& out, uint64_t value) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t getU64(const char* in) {
    uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[i]);
    return value;
}

std::string describeWriteError(int err) {
    if (err == ENOSPC || err == EDQUOT) return "the disk is full";
    if (err == EFBIG) return "the file exceeds the size limit for files (ulimit -f)";
    return std::strerror(err);
}

struct FdGuard {
    int fd;
    ~FdGuard() {
        if (fd >= 0) ::close(fd);
    }
};

void syncFolder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);  // makes the rename itself durable
        ::close(fd);
    }
}

[[noreturn]] void failWrite(const std::string& path, const std::string& temporary, int err) {
    ::unlink(temporary.c_str());
    throw StorageError("cannot write checkpoint '" + path + "': " + describeWriteError(err) +
                       " (the partial file was removed; earlier checkpoints are intact)");
}

}  // namespace

void sealCheckpointBytes(std::string& archiveBytes) {
    const uint64_t length = archiveBytes.size();
    const uint64_t digest = hash64(archiveBytes.data(), archiveBytes.size(), kHashSeed);
    archiveBytes.append(kMagic, sizeof kMagic);
    putU64(archiveBytes, length);
    putU64(archiveBytes, digest);
}

CheckpointBytes readCheckpointBytes(const std::string& path) {
    if (!fs::exists(path)) throw Error("checkpoint '" + path + "' does not exist");
    CheckpointBytes result;
    result.archive = readFileBytes(path);
    std::string& bytes = result.archive;
    if (bytes.size() < kTrailerBytes) return result;
    const char* trailer = bytes.data() + bytes.size() - kTrailerBytes;
    if (std::memcmp(trailer, kMagic, sizeof kMagic) != 0) return result;  // written before checksums
    const uint64_t length = getU64(trailer + 8);
    if (length != bytes.size() - kTrailerBytes ||
        getU64(trailer + 16) != hash64(bytes.data(), static_cast<size_t>(length), kHashSeed)) {
        throw Error("checkpoint '" + path +
                    "' is corrupt (checksum mismatch: its contents changed after it was written)");
    }
    bytes.resize(static_cast<size_t>(length));
    result.verified = true;
    return result;
}

std::optional<uint64_t> freeBytesAt(const std::string& folder) {
    struct statvfs info {};
    if (::statvfs(folder.c_str(), &info) != 0) return std::nullopt;
    return static_cast<uint64_t>(info.f_bavail) * info.f_frsize;
}

DiskRoom judgeDiskRoom(uint64_t freeBytes, uint64_t bytes) {
    if (freeBytes < bytes + kStoreMargin) return DiskRoom::NotEnough;
    if (freeBytes < (kLowSpaceCheckpoints + 1) * bytes + kStoreMargin) return DiskRoom::Low;
    return DiskRoom::Enough;
}

std::optional<uint64_t> writeCheckpointBytes(const std::string& path, const std::string& bytes) {
    const fs::path folder = fs::path(path).parent_path();
    try {
        ensureDirectory(folder.string());
    } catch (const Error& e) {  // a folder that cannot be made (full disk, permissions) is a failed write too
        throw StorageError("cannot write checkpoint '" + path + "': " + e.what());
    }
    const auto room = freeBytesAt(folder.string());
    if (room && judgeDiskRoom(*room, bytes.size()) == DiskRoom::NotEnough) {
        throw StorageError("cannot write checkpoint '" + path + "': the disk is full (it needs " +
                           megabytes(bytes.size()) + " plus " + megabytes(kStoreMargin) +
                           " kept free for the run store; " + megabytes(*room) + " are free)");
    }

    const std::string temporary = path + ".tmp" + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) failWrite(path, temporary, errno);
    {
        FdGuard guard{fd};
        size_t written = 0;
        while (written < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) failWrite(path, temporary, n < 0 ? errno : ENOSPC);
            written += static_cast<size_t>(n);
        }
        if (::fsync(fd) != 0) failWrite(path, temporary, errno);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temporary.c_str());
        throw StorageError("cannot move checkpoint into place at '" + path + "': " + std::strerror(err));
    }
    syncFolder(folder);
    return freeBytesAt(folder.string());
}

std::string megabytes(uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / 1e6);
    return text;
}

}  // namespace needlescope
