#pragma once
// The on-disk format of cached token ids: a 48-byte header, then int32 ids, all little-endian.
//   0 magic "NSTOKIDS" | 8 u32 version (1) | 12 u32 header bytes (48) | 16 u64 id count
//  24 u64 hash of the tokenizer model file | 32 u64 hash of the id bytes | 40 u64 hash of bytes 0..39
#include <cstdint>
#include <string>
#include <vector>

namespace needlescope {

struct TokenFile {
    std::vector<int32_t> ids;
    uint64_t modelHash = 0;  // ties the ids to the exact tokenizer model that produced them
};

void writeTokenFile(const std::string& path, const std::vector<int32_t>& ids, uint64_t modelHash);

// Throws Error naming the file and what is wrong with it: missing, truncated or too long, not a token
// file, an unknown version, or a checksum mismatch (corrupted). Never returns unverified ids.
TokenFile readTokenFile(const std::string& path);

}  // namespace needlescope
