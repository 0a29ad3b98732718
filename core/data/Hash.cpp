#include "core/data/Hash.h"

#include <cstring>

namespace needlescope {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ULL;

constexpr uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t loadLittleEndian(const unsigned char* p) {
    uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = (word << 8) | p[i];
    return word;
}

// Final avalanche (from MurmurHash3's fmix64) so every input bit affects every output bit.
uint64_t avalanche(uint64_t h) {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
}

}  // namespace

Hasher64::Hasher64(uint64_t seed) : state_(seed + kPrime3) {}

void Hasher64::mixWord(uint64_t word) {
    state_ ^= rotl(word * kPrime2, 31) * kPrime1;
    state_ = rotl(state_, 27) * kPrime1 + kPrime3;
}

Hasher64& Hasher64::update(const void* data, size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    total_ += bytes;
    while (pendingBytes_ > 0 && pendingBytes_ < 8 && bytes > 0) {
        pending_[pendingBytes_++] = *p++;
        --bytes;
    }
    if (pendingBytes_ == 8) {
        mixWord(loadLittleEndian(pending_));
        pendingBytes_ = 0;
    }
    for (; bytes >= 8; bytes -= 8, p += 8) mixWord(loadLittleEndian(p));
    std::memcpy(pending_ + pendingBytes_, p, bytes);
    pendingBytes_ += bytes;
    return *this;
}

Hasher64& Hasher64::updateU64(uint64_t value) {
    unsigned char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
    return update(bytes, sizeof bytes);
}

uint64_t Hasher64::digest() const {
    uint64_t h = state_ ^ (total_ * kPrime2);
    for (size_t i = 0; i < pendingBytes_; ++i) h = rotl(h ^ (pending_[i] * kPrime3), 11) * kPrime1;
    return avalanche(h);
}

uint64_t hash64(const void* data, size_t bytes, uint64_t seed) {
    return Hasher64(seed).update(data, bytes).digest();
}

std::string toHex(uint64_t value) {
    static const char digits[] = "0123456789abcdef";
    std::string hex(16, '0');
    for (int i = 15; i >= 0; --i, value >>= 4) hex[static_cast<size_t>(i)] = digits[value & 0xF];
    return hex;
}

}  // namespace needlescope
