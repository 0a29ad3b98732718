#include "core/train/Checkpoint.h"

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/train/CheckpointFile.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

// 2: the file ends in a checksum trailer (CheckpointFile.h); version 1 files load unverified.
constexpr int64_t kFormatVersion = 2;

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

// The archive of a checkpoint whose checksum holds (a version-2 file without an intact trailer is corrupt).
torch::serialize::InputArchive openArchive(const std::string& path) {
    const CheckpointBytes bytes = readCheckpointBytes(path);
    torch::serialize::InputArchive archive;
    try {
        // load_from(data, size) deserializes everything before it returns, so `bytes` may go out of scope.
        archive.load_from(bytes.archive.data(), bytes.archive.size());
    } catch (const c10::Error& e) {
        throw Error("checkpoint '" + path + "' is corrupt or not a Needlescope checkpoint (" +
                    e.what_without_backtrace() + ")");
    }
    try {
        const int64_t version = readTensor(archive, "format_version").item<int64_t>();
        if (version > kFormatVersion)
            throw Error("checkpoint '" + path + "' was written by a newer Needlescope");
        if (version >= 2 && !bytes.verified)
            throw Error("checkpoint '" + path + "' is corrupt (its checksum trailer is missing or damaged)");
    } catch (const c10::Error& e) {
        throw Error("checkpoint '" + path + "' is incomplete or corrupt (" + e.what_without_backtrace() +
                    ")");
    }
    return archive;
}

}  // namespace

CheckpointWrite saveCheckpoint(const std::string& path, DecoderImpl& model,
                               torch::optim::Optimizer& optimizer, const CheckpointState& state) {
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

    // Serialized in memory first: LibTorch's file writer throws from a destructor (and so aborts the process)
    // when the disk fills up, and only whole bytes give a checksum and an exact free-space check.
    std::string bytes;
    archive.save_to([&bytes](const void* data, size_t size) {
        bytes.append(static_cast<const char*>(data), size);
        return size;
    });
    sealCheckpointBytes(bytes);
    CheckpointWrite result;
    result.bytes = bytes.size();
    result.freeBytesAfter = writeCheckpointBytes(path, bytes);
    return result;
}

CheckpointState loadCheckpoint(const std::string& path, DecoderImpl& model,
                               torch::optim::Optimizer* optimizer) {
    auto archive = openArchive(path);
    CheckpointState state;
    try {
        const auto saved = nlohmann::json::parse(readString(archive, "config")).get<ModelConfig>();
        if (nlohmann::json(saved) != nlohmann::json(model.config()))
            throw Error("checkpoint '" + path + "' holds a different model (" + nlohmann::json(saved).dump() +
                        ")");
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
        throw Error("checkpoint '" + path + "' is incomplete or corrupt (" + e.what_without_backtrace() +
                    ")");
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

void verifyCheckpoint(const std::string& path) { openArchive(path); }

Decoder loadModel(const std::string& checkpointPath, const torch::Device& device) {
    Decoder model(checkpointModelConfig(checkpointPath));
    loadCheckpoint(checkpointPath, *model, nullptr);
    model->to(device);
    model->eval();
    return model;
}

}  // namespace needlescope
