#pragma once
// Plain C API of the sentencepiece shim (libneedlescope_spm.so). Loaded at run time with dlopen so that
// sentencepiece's bundled protobuf never meets LibTorch's. Every call returns 0 on success; on failure
// it returns non-zero and ns_spm_last_error() describes the problem.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NS_SPM_API __attribute__((visibility("default")))

typedef struct ns_spm_model ns_spm_model;  // opaque processor handle

NS_SPM_API const char* ns_spm_last_error(void);  // thread-local message of the last failed call

// Trains a BPE model from a text file (one sentence per line) and writes `<model_prefix>.model`.
NS_SPM_API int ns_spm_train(const char* input_path, const char* model_prefix, int vocab_size,
                            int num_threads);

NS_SPM_API int ns_spm_load(const char* model_path, ns_spm_model** out);
NS_SPM_API void ns_spm_free(ns_spm_model* model);
NS_SPM_API int ns_spm_vocab_size(const ns_spm_model* model);
NS_SPM_API int ns_spm_bos_id(const ns_spm_model* model);

// Encodes `len` bytes of UTF-8 into ids. Call with ids == NULL to get the count in *count;
// otherwise writes at most `capacity` ids and sets *count to the full count.
NS_SPM_API int ns_spm_encode(const ns_spm_model* model, const char* text, size_t len, int32_t* ids,
                             size_t capacity, size_t* count);
// Decodes ids into a UTF-8 buffer (same two-call protocol as encode, counted in bytes).
NS_SPM_API int ns_spm_decode(const ns_spm_model* model, const int32_t* ids, size_t n, char* out,
                             size_t capacity, size_t* length);
NS_SPM_API int ns_spm_id_to_piece(const ns_spm_model* model, int32_t id, char* out, size_t capacity,
                                  size_t* length);
NS_SPM_API int ns_spm_piece_to_id(const ns_spm_model* model, const char* piece, int32_t* id);

#ifdef __cplusplus
}
#endif
