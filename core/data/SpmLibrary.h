#pragma once
// Loads the sentencepiece shim (libneedlescope_spm.so) at run time and resolves its C API (DESIGN §6).
#include <string>

#include "core/tokenizer/spm_shim.h"

namespace needlescope {

struct SpmApi {
    decltype(&ns_spm_last_error) lastError = nullptr;
    decltype(&ns_spm_train) train = nullptr;
    decltype(&ns_spm_load) load = nullptr;
    decltype(&ns_spm_free) free = nullptr;
    decltype(&ns_spm_vocab_size) vocabSize = nullptr;
    decltype(&ns_spm_bos_id) bosId = nullptr;
    decltype(&ns_spm_encode) encode = nullptr;
    decltype(&ns_spm_decode) decode = nullptr;
    decltype(&ns_spm_id_to_piece) idToPiece = nullptr;
    decltype(&ns_spm_piece_to_id) pieceToId = nullptr;
    std::string path;  // the file that was loaded
};

// The shim, loaded once per process (never unloaded). Search order: $NEEDLESCOPE_SPM_LIBRARY (only
// that, when set); the build folder; beside the executable; ../lib/needlescope beside the executable;
// the dynamic loader's own search path. Throws Error listing each place tried when none loads; a
// later call tries again.
const SpmApi& spmApi();

}  // namespace needlescope
