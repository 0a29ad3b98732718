#include "core/data/TokenFile.h"

#include <cstring>
#include <string_view>

#include "core/data/FileIO.h"
#include "core/data/Hash.h"
#include "core/util/Error.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "token files store ids in the host's byte order");

namespace needlescope {
namespace {

constexpr char kMagic[8] = {'N', 'S', 'T', 'O', 'K', 'I', 'D', 'S'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 48;
constexpr size_t kHeaderChecksumOffset = 40;

void putU32(std::string& out, size_t at, uint32_t value) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(value >> (8 * i));
}
void putU64(std::string& out, size_t at, uint64_t value) {
    for (int i = 0; i < 8; ++i) out[at + i] = static_cast<char>(value >> (8 * i));
}
uint64_t getLittleEndian(std::string_view in, size_t at, int bytes) {
    uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[at + i]);
    return value;
}

}  // namespace

void writeTokenFile(const std::string& path, const std::vector<int32_t>& ids, uint64_t modelHash) {
    const size_t payloadBytes = ids.size() * sizeof(int32_t);
    std::string bytes(kHeaderBytes + payloadBytes, '\0');
    std::memcpy(bytes.data(), kMagic, sizeof kMagic);
    putU32(bytes, 8, kVersion);
    putU32(bytes, 12, kHeaderBytes);
    putU64(bytes, 16, ids.size());
    putU64(bytes, 24, modelHash);
    if (payloadBytes > 0) std::memcpy(bytes.data() + kHeaderBytes, ids.data(), payloadBytes);
    putU64(bytes, 32, hash64(bytes.data() + kHeaderBytes, payloadBytes));
    putU64(bytes, kHeaderChecksumOffset, hash64(bytes.data(), kHeaderChecksumOffset));
    writeFileAtomically(path, bytes);
}

TokenFile readTokenFile(const std::string& path) {
    const std::string bytes = readFileBytes(path);
    const std::string_view view(bytes);
    if (bytes.size() < kHeaderBytes) {
        throw Error(path + ": truncated token file (" + std::to_string(bytes.size()) +
                    " bytes, shorter than its header)");
    }
    if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw Error(path + ": not a Needlescope token file");
    if (getLittleEndian(view, kHeaderChecksumOffset, 8) != hash64(bytes.data(), kHeaderChecksumOffset)) {
        throw Error(path + ": corrupted token file (header checksum mismatch)");
    }
    const uint64_t version = getLittleEndian(view, 8, 4);
    if (version != kVersion || getLittleEndian(view, 12, 4) != kHeaderBytes) {
        throw Error(path + ": token file version " + std::to_string(version) +
                    " is not supported (expected " + std::to_string(kVersion) + ")");
    }
    const uint64_t count = getLittleEndian(view, 16, 8);
    const uint64_t payloadBytes = bytes.size() - kHeaderBytes;
    if (count > payloadBytes / sizeof(int32_t) || payloadBytes != count * sizeof(int32_t)) {
        throw Error(path + ": " + (count > payloadBytes / sizeof(int32_t) ? "truncated" : "over-long") +
                    " token file (the header promises " + std::to_string(count) + " ids, the file holds " +
                    std::to_string(payloadBytes / sizeof(int32_t)) + ")");
    }
    if (getLittleEndian(view, 32, 8) != hash64(bytes.data() + kHeaderBytes, payloadBytes)) {
        throw Error(path + ": corrupted token file (checksum mismatch)");
    }
    TokenFile file;
    file.modelHash = getLittleEndian(view, 24, 8);
    file.ids.resize(count);
    if (payloadBytes > 0) std::memcpy(file.ids.data(), bytes.data() + kHeaderBytes, payloadBytes);
    return file;
}

}  // namespace needlescope
