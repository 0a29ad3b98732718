#include "core/data/DataLocator.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "core/data/Corpus.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr const char* kHowToGetData =
    "Get WikiText-2 with packaging/fetch-wikitext.sh (it downloads wikitext-2-raw-v1 into the default "
    "folder), or point --data / NEEDLESCOPE_DATA at a folder holding wiki.{train,valid,test}.raw or "
    ".tokens, or train.txt and valid.txt.";

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

DataSearch dataSearchWithEnvironment(std::string flag, std::string setting, std::string defaultDir) {
    return DataSearch{std::move(flag), environment("NEEDLESCOPE_DATA"), std::move(setting),
                      std::move(defaultDir)};
}

std::string locateData(const DataSearch& where) {
    if (!where.flag.empty()) {
        try {
            detectCorpus(where.flag);
            return where.flag;
        } catch (const Error& e) {
            throw Error(std::string("--data: ") + e.what() + "\n" + kHowToGetData);
        }
    }
    const std::vector<std::pair<const char*, const std::string*>> candidates = {
        {"NEEDLESCOPE_DATA", &where.env},
        {"saved setting", &where.setting},
        {"default folder", &where.defaultDir},
    };
    std::string looked = "No training data found. Looked in:\n  --data: not given";
    for (const auto& [label, value] : candidates) {
        looked += std::string("\n  ") + label + ": ";
        if (value->empty()) {
            looked += "not set";
            continue;
        }
        try {
            detectCorpus(*value);
            return *value;
        } catch (const Error& e) {
            looked += e.what();
        }
    }
    throw Error(looked + "\n" + kHowToGetData);
}

std::string defaultCacheDir() {
    const std::string xdg = environment("XDG_CACHE_HOME");
    if (!xdg.empty() && xdg.front() == '/') return xdg + "/needlescope";  // the spec ignores relative paths
    std::string home = environment("HOME");
    if (home.empty()) {
        if (const passwd* user = ::getpwuid(::getuid()); user != nullptr && user->pw_dir != nullptr) {
            home = user->pw_dir;
        }
    }
    if (home.empty()) throw Error("No cache folder: neither XDG_CACHE_HOME nor HOME is set");
    return home + "/.cache/needlescope";
}

}  // namespace needlescope
