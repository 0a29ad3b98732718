#include "bench/BenchTrain.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench/BenchCommon.h"
#include "core/model/Decoder.h"
#include "core/train/MemoryEstimate.h"
#include "core/util/BlasKernel.h"
#include "core/util/Error.h"
#include "core/util/ProcessMemory.h"
#include "core/util/Runtime.h"

namespace needlescope::bench {
namespace {

// Measured fp32 GEMM throughput of this machine (the MFU denominator).
double gemmGflops(const torch::Device& device) {
    const int64_t n = 2048;
    auto a = torch::randn({n, n}, torch::TensorOptions().device(device));  // [n, n]
    auto b = torch::randn({n, n}, torch::TensorOptions().device(device));  // [n, n]
    auto c = torch::mm(a, b);                                              // warm-up
    const int reps = 5;
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        Stopwatch watch;
        c = torch::mm(a, b);  // [n, n]
        if (device.is_cuda()) c.cpu();
        best = std::min(best, watch.seconds());
    }
    return 2.0 * double(n) * n * n / best / 1e9;
}

}  // namespace

TrainBenchShape trainBenchShape(const std::string& name, ModelKind kind) {
    TrainBenchShape shape;
    shape.model.kind = kind;
    shape.model.vocabSize = 8192;
    shape.model.nHeads = 8;
    shape.model.nLayers = 4;
    if (name == "small") {
        shape.model.dModel = 256;
        shape.seq = 256;
        shape.batch = 8;
    } else if (name == "seed") {
        shape.model.dModel = 512;
        shape.seq = 512;
        shape.batch = 4;
    } else {
        throw Error("unknown bench config '" + name + "'; expected small or seed");
    }
    shape.model.maxContext = shape.seq;
    return shape;
}

double modelFlopsPerToken(const ModelConfig& config, int64_t seq) {
    const double D = double(config.dModel), F = double(config.ffnHidden()), L = double(config.nLayers);
    const bool v2 = config.kind == ModelKind::Diff2;
    const double kv = double(config.kvHeadCount() * config.headDim()), H = double(config.nHeads);
    // q, k, v, out (V2: q is 2D wide, k/v h_kv·d, plus λ) + w1, w3, w2
    const double perLayerMatmul = (v2 ? 3 * D * D + 2 * D * kv + D * H : 4 * D * D) + 3 * D * F;
    const double matmulParams = L * perLayerMatmul + double(config.vocabSize) * D;  // + tied LM head
    // Total Q/K and V widths of a layer (standard and DIFF: D each; V2: 2h query heads of d, V after the
    // subtraction)
    const double wQk = v2 ? 2 * D : D, wV = D;
    return 6.0 * matmulParams + 6.0 * L * double(seq) * (wQk + wV);
}

int runTrainBench(const TrainBenchOptions& options) {
    const int threads = configureThreads(options.threads);
    const torch::Device device = resolveDevice(options.device);
    const double peak = gemmGflops(device);
    std::printf("bench train  config=%s  threads=%d  device=%s  warmup=%d  timed=%d  keep-freed-memory=%s\n",
                options.config.c_str(), threads, device.str().c_str(), options.warmupSteps,
                options.timedSteps, options.keepFreedMemory ? "on" : "off");
    std::printf("LibTorch %s, BLAS %s, %s, fp32 GEMM %.1f GFLOP/s (2048^3, best of 5)\n",
                torchVersion().c_str(), blasInfo().c_str(), blasCoreSummary().c_str(), peak);
    std::printf(
        "MFU = tokens/s x FLOPs/token / GEMM peak; FLOPs/token = 6*P_matmul + 6*L*T*(w_qk + w_v)\n\n");
    std::printf("%-9s %11s %10s %9s %9s %12s %10s %12s %7s\n", "model", "params", "ms/step", "median", "min",
                "tokens/s", "peakRSS MB", "GFLOP/token", "MFU");
    nlohmann::json report = {{"config", options.config},
                             {"device", device.str()},
                             {"threads", threads},
                             {"torch", torchVersion()},
                             {"blas", blasInfo()},
                             {"blas_core", activeBlasCore()},
                             {"gemm_gflops", peak},
                             {"warmup_steps", options.warmupSteps},
                             {"timed_steps", options.timedSteps},
                             {"models", nlohmann::json::array()}};

    for (ModelKind kind : options.models) {
        const auto shape = trainBenchShape(options.config, kind);
        const int64_t logitsBytes = shape.batch * shape.seq * shape.model.vocabSize * 4;
        if (options.keepFreedMemory) keepFreedMemory(std::size_t(logitsBytes));
        resetPeakResident();
        Decoder model(shape.model);
        model->to(device);
        torch::optim::AdamW optimizer(model->parameters(),
                                      torch::optim::AdamWOptions(3e-4).betas({0.9, 0.95}).weight_decay(0.1));
        torch::manual_seed(1);
        auto tokens = torch::randint(0, shape.model.vocabSize, {shape.batch, shape.seq + 1},
                                     torch::TensorOptions().dtype(torch::kInt64).device(device));  // [B, T+1]
        auto inputs = tokens.narrow(1, 0, shape.seq), targets = tokens.narrow(1, 1, shape.seq);    // [B, T]
        auto step = [&] {
            optimizer.zero_grad();
            auto loss = model->loss(inputs, targets);
            loss.backward();
            torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
            optimizer.step();
            return loss.item<double>();  // forces completion on CUDA too
        };
        for (int i = 0; i < options.warmupSteps; ++i) step();
        std::vector<double> stepSeconds;
        for (int i = 0; i < options.timedSteps; ++i) {
            Stopwatch watch;
            step();
            stepSeconds.push_back(watch.seconds());
        }
        double seconds = 0;
        for (double s : stepSeconds) seconds += s;
        seconds /= double(stepSeconds.size());
        std::sort(stepSeconds.begin(), stepSeconds.end());
        const double median = stepSeconds[stepSeconds.size() / 2], fastest = stepSeconds.front();
        const double tokensPerSecond = double(shape.batch * shape.seq) / seconds;
        const double flopsPerToken = modelFlopsPerToken(shape.model, shape.seq);
        const double mfu = tokensPerSecond * flopsPerToken / (peak * 1e9);
        const double rss = peakRssMb();
        std::printf("%-9s %11lld %10.1f %9.1f %9.1f %12.0f %10.0f %12.3f %6.1f%%\n", kindName(kind).c_str(),
                    static_cast<long long>(model->parameterCount()), seconds * 1e3, median * 1e3,
                    fastest * 1e3, tokensPerSecond, rss, flopsPerToken / 1e9, mfu * 100.0);
        std::printf("          params = %s\n", parameterFormula(shape.model).c_str());
        std::fflush(stdout);
        report["models"].push_back({{"kind", kindName(kind)},
                                    {"params", model->parameterCount()},
                                    {"batch", shape.batch},
                                    {"context", shape.seq},
                                    {"ms_per_step_mean", seconds * 1e3},
                                    {"ms_per_step_median", median * 1e3},
                                    {"ms_per_step_min", fastest * 1e3},
                                    {"tokens_per_s", tokensPerSecond},
                                    {"peak_rss_mb", rss},
                                    {"gflop_per_token", flopsPerToken / 1e9},
                                    {"mfu", mfu}});
    }
    if (!options.jsonPath.empty()) {
        std::ofstream out(options.jsonPath);
        out << report.dump(2) << "\n";
        if (!out) throw Error("cannot write the benchmark figures to '" + options.jsonPath + "'");
        std::printf("\nfigures written to %s\n", options.jsonPath.c_str());
    }
    return 0;
}

}  // namespace needlescope::bench
