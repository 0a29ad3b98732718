#pragma once
// Strict reading of JSON config objects: an unknown key is an error that suggests the nearest known key, a
// number must suit its field (an integer field refuses 32.5), and every message names the key's path.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace needlescope {

// Levenshtein distance (insertions, deletions, substitutions; a transposition counts as one edit).
size_t editDistance(const std::string& a, const std::string& b);
// The known key closest to `key` when it is a plausible misspelling of it, else empty.
std::string nearestKey(const std::string& key, const std::vector<std::string>& known);

class JsonFields {
  public:
    // `path` prefixes the keys in messages ("" at the top, "model." inside "model"). Throws Error when
    // `object` is not an object or holds a key outside `known`.
    JsonFields(const nlohmann::json& object, std::string path, std::vector<std::string> known);

    bool has(const char* key) const;
    const nlohmann::json& at(const char* key) const;
    std::string path(const char* key) const { return path_ + key; }

    // Each leaves `field` alone when the key is absent and throws Error naming the key on a wrong type.
    void integer(const char* key, int64_t& field) const;
    void integer(const char* key, int& field) const;
    void integer(const char* key, uint64_t& field) const;
    void number(const char* key, double& field) const;
    void string(const char* key, std::string& field) const;

  private:
    const nlohmann::json& object_;
    std::string path_;
};

// The value of an integer field at `path` (an integral JSON number within [minimum, maximum]); throws Error.
int64_t jsonInteger(const nlohmann::json& value, const std::string& path, int64_t minimum, int64_t maximum);

}  // namespace needlescope
