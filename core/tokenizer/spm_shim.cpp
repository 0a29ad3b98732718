// The sentencepiece shim: a C API over SentencePieceTrainer / SentencePieceProcessor (see spm_shim.h).
// This is the only translation unit that sees sentencepiece; no C++ exception ever crosses the C API.
#include "core/tokenizer/spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

struct ns_spm_model {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

thread_local std::string lastError;

int fail(const std::string& message) {
    lastError = message;
    return 1;
}

int failStatus(const char* what, const sentencepiece::util::Status& status) {
    return fail(std::string(what) + ": " + status.ToString());
}

// Runs `body`, turning any escaping exception into an error code (a C caller cannot catch them).
template <typename Body>
int guarded(const char* what, Body&& body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return fail(std::string(what) + ": out of memory");
    } catch (const std::exception& e) {
        return fail(std::string(what) + ": " + e.what());
    } catch (...) {
        return fail(std::string(what) + ": unknown error");
    }
}

bool validId(const ns_spm_model* model, int32_t id) {
    return id >= 0 && id < model->processor.GetPieceSize();
}

// Copies `bytes` into a caller buffer following the two-call protocol of spm_shim.h.
void copyOut(const std::string& bytes, char* out, size_t capacity, size_t* length) {
    *length = bytes.size();
    if (out != nullptr && capacity > 0) std::memcpy(out, bytes.data(), std::min(capacity, bytes.size()));
}

}  // namespace

extern "C" {

const char* ns_spm_last_error(void) { return lastError.c_str(); }

int ns_spm_train(const char* input_path, const char* model_prefix, int vocab_size, int num_threads) {
    if (input_path == nullptr || model_prefix == nullptr) return fail("train: null path");
    if (vocab_size <= 0) return fail("train: vocabulary size must be positive");
    return guarded("train", [&] {
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        const int threads = num_threads > 0 ? num_threads : static_cast<int>(cores);
        // Identity normalisation, no dummy prefix and kept whitespace make decode(encode(x)) == x for any
        // valid UTF-8 x, and encode(a) + encode(b) decode to a + b (the needle probe splices token ids).
        const std::unordered_map<std::string, std::string> options = {
            {"input", input_path},
            {"model_prefix", model_prefix},
            {"model_type", "bpe"},
            {"vocab_size", std::to_string(vocab_size)},
            {"num_threads", std::to_string(threads)},
            {"byte_fallback", "true"},
            {"split_digits", "true"},  // numbers become one token per digit, wherever they occur
            {"normalization_rule_name", "identity"},
            {"add_dummy_prefix", "false"},
            {"remove_extra_whitespaces", "false"},
            {"unk_id", "0"},
            {"bos_id", "1"},
            {"eos_id", "2"},
            {"pad_id", "-1"},
            // Longer lines are skipped by the trainer (callers split them first); the sample bounds memory.
            {"max_sentence_length", "65536"},
            {"input_sentence_size", "2000000"},
            {"shuffle_input_sentence", "true"},
            {"minloglevel", "1"},  // keep the trainer's progress chatter off stderr
        };
        sentencepiece::SetRandomGeneratorSeed(0x5EED);  // the sentence sample of big corpora is reproducible
        const auto status = sentencepiece::SentencePieceTrainer::Train(options);
        if (!status.ok()) return failStatus("train", status);
        return 0;
    });
}

int ns_spm_load(const char* model_path, ns_spm_model** out) {
    if (model_path == nullptr || out == nullptr) return fail("load: null argument");
    *out = nullptr;
    return guarded("load", [&] {
        auto model = std::make_unique<ns_spm_model>();
        const auto status = model->processor.Load(model_path);
        if (!status.ok()) return failStatus("load", status);
        *out = model.release();
        return 0;
    });
}

void ns_spm_free(ns_spm_model* model) { delete model; }

int ns_spm_vocab_size(const ns_spm_model* model) {
    return model == nullptr ? 0 : model->processor.GetPieceSize();
}

int ns_spm_bos_id(const ns_spm_model* model) { return model == nullptr ? -1 : model->processor.bos_id(); }

int ns_spm_encode(const ns_spm_model* model, const char* text, size_t len, int32_t* ids, size_t capacity,
                  size_t* count) {
    if (model == nullptr || count == nullptr || (text == nullptr && len > 0)) {
        return fail("encode: null argument");
    }
    return guarded("encode", [&] {
        std::vector<int> encoded;
        // Malformed UTF-8 is mapped to U+FFFD by sentencepiece's normaliser, then byte-encoded.
        const auto status =
            model->processor.Encode(std::string_view(text == nullptr ? "" : text, len), &encoded);
        if (!status.ok()) return failStatus("encode", status);
        *count = encoded.size();
        if (ids != nullptr) {
            const size_t n = std::min(capacity, encoded.size());
            for (size_t i = 0; i < n; ++i) ids[i] = encoded[i];
        }
        return 0;
    });
}

int ns_spm_decode(const ns_spm_model* model, const int32_t* ids, size_t n, char* out, size_t capacity,
                  size_t* length) {
    if (model == nullptr || length == nullptr || (ids == nullptr && n > 0))
        return fail("decode: null argument");
    return guarded("decode", [&] {
        std::vector<int> input(n);
        for (size_t i = 0; i < n; ++i) {
            // sentencepiece does not range-check ids; an out-of-range id would read past its piece table.
            if (!validId(model, ids[i])) {
                return fail("decode: token id " + std::to_string(ids[i]) + " at position " +
                            std::to_string(i) + " is outside the vocabulary (0.." +
                            std::to_string(model->processor.GetPieceSize() - 1) + ")");
            }
            input[i] = ids[i];
        }
        std::string text;
        const auto status = model->processor.Decode(input, &text);
        if (!status.ok()) return failStatus("decode", status);
        copyOut(text, out, capacity, length);
        return 0;
    });
}

int ns_spm_id_to_piece(const ns_spm_model* model, int32_t id, char* out, size_t capacity, size_t* length) {
    if (model == nullptr || length == nullptr) return fail("id_to_piece: null argument");
    if (!validId(model, id)) {
        return fail("id_to_piece: token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                    std::to_string(model->processor.GetPieceSize() - 1) + ")");
    }
    return guarded("id_to_piece", [&] {
        copyOut(model->processor.IdToPiece(id), out, capacity, length);
        return 0;
    });
}

int ns_spm_piece_to_id(const ns_spm_model* model, const char* piece, int32_t* id) {
    if (model == nullptr || piece == nullptr || id == nullptr) return fail("piece_to_id: null argument");
    return guarded("piece_to_id", [&] {
        *id = model->processor.PieceToId(piece);  // unknown pieces map to unk_id
        return 0;
    });
}

}  // extern "C"
