#pragma once
// Where the corpus and the token cache live: the data search order and the default cache folder.
#include <string>

namespace needlescope {

// Candidate data locations, each empty when not given.
struct DataSearch {
    std::string flag;        // --data DIR / the UI field: an explicit choice, never silently skipped
    std::string env;         // value of NEEDLESCOPE_DATA
    std::string setting;     // the saved setting
    std::string defaultDir;  // <AppDataLocation>/data
};

// Fills `env` from the NEEDLESCOPE_DATA environment variable.
DataSearch dataSearchWithEnvironment(std::string flag, std::string setting, std::string defaultDir);

// Returns the first candidate that holds a corpus (see detectCorpus), in the order flag, env, setting,
// defaultDir. An explicit flag that holds no corpus is an error by itself (a typo must not silently
// train on other data). Otherwise, when nothing is found, throws Error listing every place looked
// and how to get WikiText-2.
std::string locateData(const DataSearch& where);

// $XDG_CACHE_HOME/needlescope, else $HOME/.cache/needlescope (the app passes its own CacheLocation).
std::string defaultCacheDir();

}  // namespace needlescope
