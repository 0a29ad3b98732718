#include "core/train/Checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr int64_t kFormatVersion = 1;

void fsyncFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

torch::Tensor scalar(int64_t v) { return torch::tensor({v}, torch::kInt64); }

// A fresh tensor per key: reading into a defined tensor would alias it (and fail across dtypes).
torch::Tensor readTensor(torch::serialize::InputArchive& archive, const std::string& key) {
    torch::Tensor value;
    archive.read(key, value);
    return value;
}

std::string readString(torch::serialize::InputArchive& archive, const std::string& key) {
    c10::IValue value;
    archive.read(key, value);
    return value.toStringRef();
}

torch::serialize::InputArchive openArchive(const std::string& path) {
    if (!std::filesystem::exists(path)) throw Error("checkpoint '" + path + "' does not exist");
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path);
    } catch (const c10::Error& e) {
        throw Error("checkpoint '" + path + "' is corrupt or not a Needlescope checkpoint (" +
                    e.what_without_backtrace() + ")");
    }
    return archive;
}

}  // namespace

void saveCheckpoint(const std::string& path, DecoderImpl& model, torch::optim::Optimizer& optimizer,
                    const CheckpointState& state) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) throw Error("cannot create checkpoint folder for '" + path + "': " + ec.message());

    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive modelArchive, optimizerArchive;
    model.save(modelArchive);
    optimizer.save(optimizerArchive);
    archive.write("model", modelArchive);
    archive.write("optimizer", optimizerArchive);
    archive.write("config", c10::IValue(nlohmann::json(model.config()).dump()));
    archive.write("format_version", scalar(kFormatVersion));
    archive.write("step", scalar(state.step));
    archive.write("data_position", scalar(state.dataPosition));
    archive.write("tokens_seen", scalar(state.tokensSeen));
    archive.write("wall_seconds", torch::tensor({state.wallSeconds}, torch::kFloat64));
    archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());

    const std::string temporary = path + ".tmp";
    try {
        archive.save_to(temporary);
    } catch (const c10::Error& e) {
        fs::remove(temporary, ec);
        throw Error("cannot write checkpoint '" + path + "': " + e.what_without_backtrace());
    }
    fsyncFile(temporary);
    fs::rename(temporary, path, ec);
    if (ec) throw Error("cannot move checkpoint into place at '" + path + "': " + ec.message());
}

CheckpointState loadCheckpoint(const std::string& path, DecoderImpl& model, torch::optim::Optimizer* optimizer) {
    auto archive = openArchive(path);
    CheckpointState state;
    try {
        if (readTensor(archive, "format_version").item<int64_t>() > kFormatVersion)
            throw Error("checkpoint '" + path + "' was written by a newer Needlescope");
        const auto saved = nlohmann::json::parse(readString(archive, "config")).get<ModelConfig>();
        if (nlohmann::json(saved) != nlohmann::json(model.config()))
            throw Error("checkpoint '" + path + "' holds a different model (" + nlohmann::json(saved).dump() + ")");
        torch::serialize::InputArchive modelArchive;
        archive.read("model", modelArchive);
        model.load(modelArchive);
        if (optimizer) {
            torch::serialize::InputArchive optimizerArchive;
            archive.read("optimizer", optimizerArchive);
            optimizer->load(optimizerArchive);
        }
        state.step = readTensor(archive, "step").item<int64_t>();
        state.dataPosition = readTensor(archive, "data_position").item<int64_t>();
        state.tokensSeen = readTensor(archive, "tokens_seen").item<int64_t>();
        state.wallSeconds = readTensor(archive, "wall_seconds").item<double>();
        if (optimizer) {  // resuming training: restore the global RNG too (inspection leaves it alone)
            at::Generator generator = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(readTensor(archive, "rng"));
        }
    } catch (const c10::Error& e) {
        throw Error("checkpoint '" + path + "' is incomplete or corrupt (" + e.what_without_backtrace() + ")");
    } catch (const nlohmann::json::exception& e) {
        throw Error("checkpoint '" + path + "' has an unreadable config (" + e.what() + ")");
    }
    return state;
}

ModelConfig checkpointModelConfig(const std::string& path) {
    auto archive = openArchive(path);
    try {
        return nlohmann::json::parse(readString(archive, "config")).get<ModelConfig>();
    } catch (const c10::Error& e) {
        throw Error("checkpoint '" + path + "' has no model config (" + e.what_without_backtrace() + ")");
    } catch (const nlohmann::json::exception& e) {
        throw Error("checkpoint '" + path + "' has an unreadable config (" + e.what() + ")");
    }
}

Decoder loadModel(const std::string& checkpointPath) {
    Decoder model(checkpointModelConfig(checkpointPath));
    loadCheckpoint(checkpointPath, *model, nullptr);
    model->eval();
    return model;
}

}  // namespace needlescope
