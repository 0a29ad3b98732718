#include "core/train/MemoryEstimate.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr double kFloat = 4;               // fp32 bytes
constexpr double kBytesPerParameter = 16;  // weight, gradient, AdamW's two moments
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::string gib(double bytes) {
    char text[32];
    const double g = bytes / kGiB;
    std::snprintf(text, sizeof text, g < 1000 ? "%.1f" : "%.3g", g);
    return text;
}

}  // namespace

double modelParameterCount(const ModelConfig& c) {
    const double D = double(c.dModel), F = double(c.ffnHidden()), L = double(c.nLayers);
    const double attention =
        4 * D * D + (c.kind == ModelKind::Diff ? 4 * double(c.headDim()) + 2 * double(c.headDim()) : 0);
    const double layer =
        attention + 3 * D * F + 2 * D;               // q/k/v/out (+ λ vectors, sub-norm), SwiGLU, two norms
    return double(c.vocabSize) * D + L * layer + D;  // tied embedding, layers, final norm
}

double activationBytes(const ModelConfig& c, int64_t batch, int64_t context) {
    const double BT = double(batch) * double(context), D = double(c.dModel), F = double(c.ffnHidden());
    // One [B, H, T, T] attention map set; DIFF keeps twice the maps (two softmaxes and their difference).
    const double map = double(batch) * double(c.nHeads) * double(context) * double(context);
    const double mapsPerLayer = c.kind == ModelKind::Diff ? 2 * map : map;
    // Per layer: norms, q/k/v, RoPE'd q/k, attention output and residuals (~13·D a token) and the SwiGLU's
    // gate, up, activation and product (4·F a token).
    const double layer = BT * (13 * D + 4 * F) + mapsPerLayer;
    // Embedding output and final norm, the logits with their log-softmax and gradient, and the gradient of
    // one layer's maps during backward.
    const double outside = BT * 3 * D + BT * 3 * double(c.vocabSize) + 2 * map;
    return kFloat * (double(c.nLayers) * layer + outside);
}

MemoryEstimate estimateTrainingMemory(const TrainConfig& config) {
    MemoryEstimate estimate;
    for (ModelKind kind : config.kinds) {
        ModelConfig m = config.model;
        m.kind = kind;
        m.vocabSize = config.tokenizerVocab;
        estimate.parameters += modelParameterCount(m);
        estimate.activationBytes =
            std::max(estimate.activationBytes, activationBytes(m, config.batchSize, m.maxContext));
    }
    estimate.parameterBytes = kBytesPerParameter * estimate.parameters;
    return estimate;
}

std::optional<double> availableMemoryBytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
        std::istringstream fields(line);
        std::string key;
        double kib = 0;
        if (fields >> key >> kib && key == "MemAvailable:") return kib * 1024.0;
    }
#ifdef _SC_AVPHYS_PAGES
    const long pages = sysconf(_SC_AVPHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0) return double(pages) * double(pageSize);
#endif
    return std::nullopt;
}

std::optional<std::string> memoryFitError(const TrainConfig& config, double availableBytes) {
    const MemoryEstimate e = estimateTrainingMemory(config);
    if (e.totalBytes() <= availableBytes) return std::nullopt;
    return "this config needs about " + gib(e.totalBytes()) + " GiB (params " + gib(e.parameterBytes) +
           " GiB, activations " + gib(e.activationBytes) + " GiB) but the machine has " +
           gib(availableBytes) +
           " GiB available; use a smaller model (d_model, layers, tokenizer_vocab), batch_size or "
           "max_context";
}

void requireMemoryFits(const TrainConfig& config) {
    const std::optional<double> available = availableMemoryBytes();
    if (!available) return;
    if (auto error = memoryFitError(config, *available)) throw Error(*error);
}

}  // namespace needlescope
