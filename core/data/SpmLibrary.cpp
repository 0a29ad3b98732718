#include "core/data/SpmLibrary.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

#include "core/util/Error.h"

#ifndef NEEDLESCOPE_SPM_BUILD_DIR
#define NEEDLESCOPE_SPM_BUILD_DIR ""
#endif
#ifndef NEEDLESCOPE_SPM_FILE_NAME
#define NEEDLESCOPE_SPM_FILE_NAME "libneedlescope_spm.so"
#endif

namespace needlescope {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> candidatePaths() {
    const std::string fileName = NEEDLESCOPE_SPM_FILE_NAME;
    std::vector<std::string> paths;
    if (const std::string buildDir = NEEDLESCOPE_SPM_BUILD_DIR; !buildDir.empty()) {
        paths.push_back((fs::path(buildDir) / fileName).string());
    }
    std::error_code ec;
    const fs::path exeDir = fs::read_symlink("/proc/self/exe", ec).parent_path();
    if (!ec) {
        paths.push_back((exeDir / fileName).string());
        paths.push_back((exeDir / ".." / "lib" / "needlescope" / fileName).lexically_normal().string());
    }
    paths.push_back(fileName);  // plain name: the loader's search path (LD_LIBRARY_PATH, ld.so.cache)
    return paths;
}

void* openShim(const std::string& path, std::string& why) {
    // RTLD_DEEPBIND: the shim's sentencepiece binds to its own protobuf-lite, not LibTorch's libprotobuf.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (handle == nullptr) {
        const char* error = ::dlerror();
        why = error != nullptr ? error : "unknown dlopen error";
    }
    return handle;
}

template <typename Fn>
void resolve(void* handle, const char* name, Fn& slot, const std::string& path) {
    slot = reinterpret_cast<Fn>(::dlsym(handle, name));
    if (slot == nullptr)
        throw Error(path + ": the tokenizer library lacks the symbol " + name + " (wrong version?)");
}

void resolveAll(void* handle, SpmApi& api);

SpmApi loadApi() {
#if defined(__SANITIZE_ADDRESS__)
    throw Error("The tokenizer library cannot be loaded under AddressSanitizer (it needs RTLD_DEEPBIND)");
#endif
    std::vector<std::string> paths;
    if (const char* override = std::getenv("NEEDLESCOPE_SPM_LIBRARY");
        override != nullptr && *override != '\0') {
        paths.push_back(override);
    } else {
        paths = candidatePaths();
    }
    std::string tried;
    void* handle = nullptr;
    std::string loadedPath;
    for (const auto& path : paths) {
        std::string why;
        handle = openShim(path, why);
        if (handle != nullptr) {
            loadedPath = path;
            break;
        }
        tried += "\n  " + path + ": " + why;
    }
    if (handle == nullptr) {
        throw Error("The tokenizer library " + std::string(NEEDLESCOPE_SPM_FILE_NAME) +
                    " could not be loaded. Tried:" + tried +
                    "\nSet NEEDLESCOPE_SPM_LIBRARY to its full path, or reinstall Needlescope.");
    }
    SpmApi api;
    api.path = loadedPath;
    try {
        resolveAll(handle, api);
    } catch (...) {
        ::dlclose(handle);
        throw;
    }
    return api;
}

void resolveAll(void* handle, SpmApi& api) {
    const std::string& loadedPath = api.path;
    resolve(handle, "ns_spm_last_error", api.lastError, loadedPath);
    resolve(handle, "ns_spm_train", api.train, loadedPath);
    resolve(handle, "ns_spm_load", api.load, loadedPath);
    resolve(handle, "ns_spm_free", api.free, loadedPath);
    resolve(handle, "ns_spm_vocab_size", api.vocabSize, loadedPath);
    resolve(handle, "ns_spm_bos_id", api.bosId, loadedPath);
    resolve(handle, "ns_spm_encode", api.encode, loadedPath);
    resolve(handle, "ns_spm_decode", api.decode, loadedPath);
    resolve(handle, "ns_spm_id_to_piece", api.idToPiece, loadedPath);
    resolve(handle, "ns_spm_piece_to_id", api.pieceToId, loadedPath);
}

}  // namespace

const SpmApi& spmApi() {
    static std::mutex mutex;
    static std::unique_ptr<SpmApi> api;  // stays null until a load succeeds, so failures are retried
    std::lock_guard<std::mutex> lock(mutex);
    if (!api) api = std::make_unique<SpmApi>(loadApi());
    return *api;
}

}  // namespace needlescope
