#pragma once
// A fast streaming 64-bit hash for cache keys and token-file checksums (not cryptographic).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace needlescope {

class Hasher64 {
  public:
    explicit Hasher64(uint64_t seed = 0);
    Hasher64& update(const void* data, size_t bytes);
    Hasher64& update(std::string_view text) { return update(text.data(), text.size()); }
    Hasher64& updateU64(uint64_t value);  // fixed 8-byte little-endian encoding, for lengths and settings
    uint64_t digest() const;              // does not reset; more updates may follow

  private:
    void mixWord(uint64_t word);
    uint64_t state_;
    uint64_t total_ = 0;
    unsigned char pending_[8] = {};
    size_t pendingBytes_ = 0;
};

uint64_t hash64(const void* data, size_t bytes, uint64_t seed = 0);
std::string toHex(uint64_t value);  // 16 lower-case hex digits

}  // namespace needlescope
