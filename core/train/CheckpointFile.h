#pragma once
// The bytes of a checkpoint file: the serialized archive followed by a 24-byte trailer (magic, archive
// length, 64-bit hash of the archive), so a flipped or missing byte is found before anything is loaded.
// Writes go to a temporary file beside the target, are fsynced and renamed into place, and fail with a
// StorageError (never an abort) when the disk is full or a write fails.
#include <cstdint>
#include <optional>
#include <string>

namespace needlescope {

// Appends the trailer that readCheckpointBytes verifies.
void sealCheckpointBytes(std::string& archiveBytes);

// Reads `path` and returns the archive bytes without the trailer. Throws Error naming the file when the
// file is missing, or when its trailer does not match its contents ("checksum mismatch"). A file written
// before checksums existed (no trailer) is returned whole with `verified` false.
struct CheckpointBytes {
    std::string archive;
    bool verified = false;
};
CheckpointBytes readCheckpointBytes(const std::string& path);

// Free bytes on the file system that holds `folder` (nullopt when it cannot be queried).
std::optional<uint64_t> freeBytesAt(const std::string& folder);

// What free space means for a checkpoint of `bytes` bytes: it must fit with a small margin left for the
// run store; "Low" when fewer than `kLowSpaceCheckpoints` more of them would fit after this one.
enum class DiskRoom { Enough, Low, NotEnough };
constexpr int kLowSpaceCheckpoints = 3;
DiskRoom judgeDiskRoom(uint64_t freeBytes, uint64_t bytes);

// Writes `bytes` (already sealed) to `path` atomically. Throws StorageError naming the file and the cause
// (disk full, file too large, I/O error), with the temporary file removed and any earlier file intact.
// Returns the free bytes left afterwards (nullopt when unknown).
std::optional<uint64_t> writeCheckpointBytes(const std::string& path, const std::string& bytes);

std::string megabytes(uint64_t bytes);  // "12.3 MB"

}  // namespace needlescope
