#include "core/probe/StoredRunProbe.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/train/Checkpoint.h"
#include "core/util/Error.h"

namespace needlescope {

CheckpointRecord pickCheckpoint(const RunStore& store, int64_t runId, std::optional<int64_t> step) {
    const auto checkpoints = store.checkpoints(runId);
    if (checkpoints.empty()) throw Error("run " + std::to_string(runId) + " has no checkpoint to probe");
    if (!step) return checkpoints.back();
    std::string known;
    for (const auto& c : checkpoints) {
        if (c.step == *step) return c;
        known += (known.empty() ? "" : ", ") + std::to_string(c.step);
    }
    throw Error("run " + std::to_string(runId) + " has no checkpoint at step " + std::to_string(*step) +
                " (checkpoints at steps " + known + ")");
}

StoredRunProbe::StoredRunProbe(const RunStore& store, int64_t runId, std::optional<int64_t> step,
                               const std::string& dataDir,
                               const std::function<std::string()>& fallbackDataDir)
    : record_(store.run(runId)) {
    nlohmann::json config;
    try {
        config = nlohmann::json::parse(record_.configJson);
    } catch (const nlohmann::json::exception&) {
        throw Error("run " + std::to_string(runId) + " has no readable config");
    }
    checkpoint_ = pickCheckpoint(store, runId, step);
    const std::string tokenizerPath = config.value("tokenizer_model", std::string());
    if (tokenizerPath.empty())
        throw Error("run " + std::to_string(runId) + " does not name its tokenizer model");
    dataDir_ = dataDir;
    if (dataDir_.empty()) {
        dataDir_ = config.contains("data") ? config["data"].value("root", std::string()) : std::string();
        std::error_code ec;
        if ((dataDir_.empty() || !std::filesystem::exists(dataDir_, ec)) && fallbackDataDir)
            dataDir_ = fallbackDataDir();
    }
    if (dataDir_.empty())
        throw Error("the corpus run " + std::to_string(runId) +
                    " was trained on is gone; give its folder with --data");
    model_ = loadModel(checkpoint_.path);
    tokenizer_ = std::make_unique<Tokenizer>(Tokenizer::load(tokenizerPath));
    if (tokenizer_->vocabSize() != model_->config().vocabSize)
        throw Error("the tokenizer '" + tokenizerPath + "' does not match the model's vocabulary");
    haystack_ = std::make_unique<Haystack>(Haystack::fromCorpus(dataDir_, *tokenizer_, Split::Valid));
    probe_ = std::make_unique<NeedleProbe>(*tokenizer_, *haystack_);
}

StoredRunProbe::~StoredRunProbe() = default;

ProbeResult StoredRunProbe::runAndStore(RunStore& store, const ProbeOptions& options,
                                        const std::function<void(int64_t, int64_t)>& progress) {
    ProbeResult result = probe_->run(*model_, options, record_.id, checkpoint_.step, progress);
    store.addProbeRows(result.rows);
    return result;
}

}  // namespace needlescope
