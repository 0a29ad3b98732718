#include "core/util/JsonFields.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/util/Error.h"

namespace needlescope {
namespace {

// A JSON value as it appears in a message, cut short when long.
std::string shown(const nlohmann::json& value) {
    std::string text = value.dump();
    return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

[[noreturn]] void wrongType(const std::string& path, const char* expected, const nlohmann::json& value) {
    throw Error(path + " must be " + expected + ", got " + shown(value));
}

// An integral JSON number as a double (exact for the sizes a config holds); throws naming `path` otherwise.
double integralValue(const nlohmann::json& value, const std::string& path) {
    if (!value.is_number()) wrongType(path, "an integer", value);
    const double d = value.get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) wrongType(path, "a whole number", value);
    return d;
}

}  // namespace

size_t editDistance(const std::string& a, const std::string& b) {
    // Optimal string alignment: rows i-2, i-1, i of the edit matrix.
    std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::string nearestKey(const std::string& key, const std::vector<std::string>& known) {
    std::string best;
    size_t bestDistance = std::numeric_limits<size_t>::max();
    for (const std::string& candidate : known) {
        const size_t d = editDistance(key, candidate);
        if (d < bestDistance) best = candidate, bestDistance = d;
    }
    // More than about a third of the letters changed is a different word, not a typo.
    const size_t tolerated = std::max<size_t>(2, key.size() / 3);
    return bestDistance <= tolerated ? best : std::string();
}

JsonFields::JsonFields(const nlohmann::json& object, std::string path, std::vector<std::string> known)
    : object_(object), path_(std::move(path)) {
    const std::string where = path_.empty() ? std::string("the config") : path_.substr(0, path_.size() - 1);
    if (!object_.is_object()) throw Error(where + " must be a JSON object, got " + shown(object_));
    for (const auto& item : object_.items()) {
        if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
        std::string message = "unknown key '" + path_ + item.key() + "'";
        const std::string nearest = nearestKey(item.key(), known);
        if (!nearest.empty()) {
            message += " (did you mean '" + path_ + nearest + "'?)";
        } else {
            std::string list;
            for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
            message += "; " + where + " knows " + list;
        }
        throw Error(message);
    }
}

bool JsonFields::has(const char* key) const { return object_.contains(key); }

const nlohmann::json& JsonFields::at(const char* key) const { return object_.at(key); }

int64_t jsonInteger(const nlohmann::json& value, const std::string& path, int64_t minimum, int64_t maximum) {
    const double d = integralValue(value, path);
    if (value.is_number_integer() && !value.is_number_unsigned()) {  // exact beyond 2^53 as well
        const int64_t v = value.get<int64_t>();
        if (v >= minimum && v <= maximum) return v;
    } else if (d >= double(minimum) && d < double(maximum) + 1.0) {
        return value.is_number_unsigned() ? int64_t(value.get<uint64_t>()) : int64_t(d);
    }
    throw Error(path + " must be an integer between " + std::to_string(minimum) + " and " +
                std::to_string(maximum) + ", got " + shown(value));
}

void JsonFields::integer(const char* key, int64_t& field) const {
    if (has(key))
        field = jsonInteger(at(key), path(key), std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max());
}

void JsonFields::integer(const char* key, int& field) const {
    if (has(key))
        field = int(jsonInteger(at(key), path(key), std::numeric_limits<int>::min(),
                                std::numeric_limits<int>::max()));
}

void JsonFields::integer(const char* key, uint64_t& field) const {
    if (!has(key)) return;
    const nlohmann::json& value = at(key);
    const double d = integralValue(value, path(key));
    if (value.is_number_unsigned())
        field = value.get<uint64_t>();
    else if (value.is_number_integer() && value.get<int64_t>() >= 0)
        field = uint64_t(value.get<int64_t>());
    else if (value.is_number_float() && d >= 0 && d < 18446744073709551616.0)
        field = uint64_t(d);
    else
        wrongType(path(key), "a non-negative integer", value);
}

void JsonFields::number(const char* key, double& field) const {
    if (!has(key)) return;
    if (!at(key).is_number()) wrongType(path(key), "a number", at(key));
    field = at(key).get<double>();
}

void JsonFields::string(const char* key, std::string& field) const {
    if (!has(key)) return;
    if (!at(key).is_string()) wrongType(path(key), "a string", at(key));
    field = at(key).get<std::string>();
}

}  // namespace needlescope
