#include "core/train/MemoryEstimate.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/model/BlockSizes.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr double kFloat = 4;               // fp32 bytes
constexpr double kBytesPerParameter = 16;  // weight, gradient, AdamW's two moments
// The heap holds more than the tensors in it at the peak of a step: glibc's heap was ~1.4x its in-use peak
// at `bench train --config small` (mallinfo2 sampled during steps), so activations are counted 1.5x.
constexpr double kHeapSlack = 1.5;
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
    const double d = double(c.headDim()), H = double(c.nHeads), G = double(c.kvHeadCount());
    double attention = 4 * D * D;                               // q/k/v/out
    if (c.kind == ModelKind::Diff) attention += 4 * d + 2 * d;  // + λ vectors, sub-norm
    if (c.kind == ModelKind::Diff2) attention = 2 * D * D + 2 * D * G * d + D * D + D * H;  // q, k+v, out, λ
    const double layer = attention + 3 * D * F + 2 * D;  // attention, SwiGLU, two norms
    return double(c.vocabSize) * D + L * layer + D;      // tied embedding, layers, final norm
}

std::string parameterFormula(const ModelConfig& c) {
    const auto n = [](int64_t v) { return std::to_string(v); };
    const std::string D = n(c.dModel), d = n(c.headDim()), F = n(c.ffnHidden());
    std::string symbolic, numeric;
    switch (c.kind) {
        case ModelKind::Diff:
            symbolic = "4D² + 6d";
            numeric = "4·" + D + "² + 6·" + d;
            break;
        case ModelKind::Diff2:
            symbolic = "3D² + 2·D·h_kv·d + D·h";
            numeric =
                "3·" + D + "² + 2·" + D + "·" + n(c.kvHeadCount()) + "·" + d + " + " + D + "·" + n(c.nHeads);
            break;
        default:
            symbolic = "4D²";
            numeric = "4·" + D + "²";
    }
    char total[32];
    std::snprintf(total, sizeof total, "%.0f", modelParameterCount(c));
    return "V·D + L·(" + symbolic + " + 3·D·F + 2D) + D = " + n(c.vocabSize) + "·" + D + " + " +
           n(c.nLayers) + "·(" + numeric + " + 3·" + D + "·" + F + " + 2·" + D + ") + " + D + " = " + total;
}

double activationBytes(const ModelConfig& c, int64_t batch, int64_t context, int threads) {
    const double BT = double(batch) * double(context), D = double(c.dModel), F = double(c.ffnHidden());
    // Kept per layer: norms, q/k/v, RoPE'd q/k, attention output and residuals (~13·D a token), q, k and v
    // laid out as the sliced attention's slices (3·D) and the SwiGLU's gate, up, activation and product
    // (4·F).
    const double layer = BT * (16 * D + 4 * F);
    // Kept outside the layers: the embedding output, the final norm and the hidden states' gradient.
    const double outside = BT * 3 * D;
    // In flight only, never kept: the attention maps of the chunks the threads work on (in backward a chunk's
    // maps, the mixed map's gradient and the scores' gradient: at most 3 chunks' worth each), and the LM
    // head's row block (logits and log-softmax; the gradient reuses the latter's buffer), no more rows than
    // the batch has. A chunk or block is at least one slice or row.
    const double T = double(context), subMaps = c.kind == ModelKind::Diff2 ? 2 * c.nHeads : c.nHeads;
    const double perSlice = (c.kind == ModelKind::Standard ? 1 : 2) * T * T;  // one or two maps a slice
    const double chunk = std::max(double(kAttentionChunkBytes) / kFloat, perSlice);
    const double attention = 3 * std::min(double(batch) * subMaps * T * T, std::max(1, threads) * chunk);
    const double lmHead = 2 * std::min(BT * double(c.vocabSize),
                                       std::max(double(kLmHeadBlockBytes) / kFloat, double(c.vocabSize)));
    return kHeapSlack * kFloat * (double(c.nLayers) * layer + outside + attention + lmHead);
}

MemoryEstimate estimateTrainingMemory(const TrainConfig& config) {
    const int threads = config.threads > 0 ? config.threads : int(std::thread::hardware_concurrency());
    MemoryEstimate estimate;
    for (ModelKind kind : config.kinds) {
        ModelConfig m = config.model;
        m.kind = kind;
        m.vocabSize = config.tokenizerVocab;
        estimate.parameters += modelParameterCount(m);
        estimate.activationBytes =
            std::max(estimate.activationBytes, activationBytes(m, config.batchSize, m.maxContext, threads));
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
