#pragma once
// The sentencepiece BPE tokenizer, used through the run-time-loaded shim (never linked with LibTorch).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct ns_spm_model;  // opaque handle of the shim (core/tokenizer/spm_shim.h)

namespace needlescope {

// Move-only owner of a loaded model. Recipe (fixed in the shim): BPE, byte fallback (any text encodes),
// identity normalisation with whitespace kept and no dummy prefix, digits split one per token;
// ids 0 = <unk>, 1 = <s> (BOS, reserved), 2 = </s>, then the 256 byte pieces <0x00>…<0xFF>.
// Consequences: decode(encode(x)) == x for valid UTF-8 x, and encode(a) + encode(b) decodes to a + b.
// Exceptions: each malformed UTF-8 byte comes back as U+FFFD, and U+2581 (▁) comes back as a space.
class Tokenizer {
  public:
    Tokenizer();  // empty; every query throws Error until a model is moved in
    ~Tokenizer();
    Tokenizer(Tokenizer&& other) noexcept;
    Tokenizer& operator=(Tokenizer&& other) noexcept;
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    // Trains on a UTF-8 text file (one sentence per line; lines over 65,536 bytes are skipped) and loads
    // `<modelPrefix>.model`. threads = 0 uses every core. Throws Error naming the file and the problem.
    static Tokenizer train(const std::string& textFile, const std::string& modelPrefix, int vocabSize,
                           int threads = 0);
    static Tokenizer load(const std::string& modelPath);

    // Any size works: text is encoded in ~2 KiB pieces cut at line ends or before spaces (where BPE merges
    // never cross, so the result equals a one-piece encode); only a run of 1 MiB without either is cut
    // at a character boundary. Safe to call from several threads at once.
    std::vector<int32_t> encode(std::string_view text) const;
    std::string decode(const std::vector<int32_t>& ids) const;  // Error for ids outside the vocabulary
    std::string idToPiece(int32_t id) const;
    int32_t pieceToId(const std::string& piece) const;  // unknown pieces give the <unk> id 0

    int vocabSize() const;
    int bosId() const;
    const std::string& modelPath() const { return modelPath_; }
    bool empty() const { return model_ == nullptr; }

    // How many times train() has run in this process: lets tests see that a cache hit did not retrain.
    static int64_t trainCount();

  private:
    struct Release {
        void operator()(ns_spm_model* model) const;
    };
    Tokenizer(ns_spm_model* model, std::string modelPath);
    const ns_spm_model* handle() const;
    void encodeInto(std::string_view text, std::vector<int32_t>& ids) const;  // one shim call, no splitting
    void decodeAppend(const int32_t* ids, size_t count, std::string& text) const;

    std::unique_ptr<ns_spm_model, Release> model_;
    std::string modelPath_;
    int vocabSize_ = 0;
    int bosId_ = -1;
    int32_t firstByteId_ = -1000;  // id of <0x00> when the 256 byte pieces are contiguous (they are for ours)
};

}  // namespace needlescope
