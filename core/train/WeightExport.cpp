#include "core/train/WeightExport.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/util/Error.h"

namespace needlescope {
namespace {

void writeAtomically(const std::string& path, const char* data, size_t size) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("cannot write '" + path + "': the folder is missing or not writable");
        out.write(data, std::streamsize(size));
        if (!out.flush()) throw Error("cannot write '" + path + "': disk full or write error");
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) throw Error("cannot move '" + temporary + "' to '" + path + "': " + ec.message());
}

}  // namespace

void exportWeights(DecoderImpl& model, const std::string& outPath) {
    c10::Dict<std::string, at::Tensor> stateDict;
    for (const auto& item : model.named_parameters())
        stateDict.insert(item.key(), item.value().detach().to(torch::kCPU).contiguous());
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(stateDict));
    writeAtomically(outPath, bytes.data(), bytes.size());

    nlohmann::json sidecar = {{"format", "needlescope-state-dict"},
                              {"model", model.config()},
                              {"parameters", stateDict.size()},
                              {"notes",
                               "Tied embedding: the LM head is embed_tokens.weight. DIFF heads pair Q/K "
                               "sub-heads 2i, 2i+1; RoPE on interleaved pairs."}};
    const std::string text = sidecar.dump(2);
    writeAtomically(outPath + ".json", text.data(), text.size());
}

}  // namespace needlescope
