#include "core/util/BlasKernel.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <torch/torch.h>

namespace needlescope {
namespace {

constexpr const char* kMarker = "NEEDLESCOPE_BLAS_CORETYPE";  // the kernel we set, so a restart knows it

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

}  // namespace

int blasCoreRank(const std::string& coreName) {
    static const std::vector<std::pair<std::vector<std::string>, int>> table = {
        {{"prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "opteron", "opteron_sse3",
          "barcelona", "bobcat", "katmai", "coppermine", "northwood", "banias", "athlon", "generic"},
         0},
        {{"sandybridge", "bulldozer", "piledriver"}, 1},
        {{"haswell", "zen", "steamroller", "excavator", "skylake"}, 2},
        {{"skylakex", "cooperlake", "sapphirerapids"}, 3},
    };
    const std::string name = lower(coreName);
    for (const auto& [names, rank] : table)
        if (std::find(names.begin(), names.end(), name) != names.end()) return rank;
    return -1;
}

std::optional<std::string> bestKernelFor(const CpuFeatures& cpu) {
    if (cpu.avx512) return "SkylakeX";
    if (cpu.avx2Fma) return "Haswell";
    return std::nullopt;
}

std::optional<std::string> saferKernel(const std::string& coreType) {
    const std::string name = lower(coreType);
    if (name == "skylakex") return "Haswell";
    if (name == "haswell") return "Sandybridge";
    if (name == "sandybridge") return "Prescott";
    return std::nullopt;
}

BlasKernelDecision decideBlasKernel(const BlasKernelInputs& in) {
    BlasKernelDecision keep;
    keep.coreType = in.activeCore;
    if (in.activeCore.empty()) return keep;  // not OpenBLAS: nothing to choose
    if (in.ourCoreType) {                    // this process is our restart
        if (in.selfCheckPassed) return keep;
        BlasKernelDecision next;
        if (const auto safer = saferKernel(*in.ourCoreType)) {
            next.restart = true;
            next.coreType = *safer;
            next.note = "the BLAS kernel " + *in.ourCoreType +
                        " failed its GEMM self-check on this CPU; trying " + *safer;
            return next;
        }
        keep.note =
            "the BLAS kernel " + *in.ourCoreType + " failed its GEMM self-check and no safer one is left";
        return keep;
    }
    if (!in.selfCheckPassed)
        keep.note = "warning: the BLAS GEMM self-check failed with kernel " + in.activeCore +
                    "; results may be wrong (set OPENBLAS_CORETYPE=Prescott to use the generic kernel)";
    if (in.userCoreType) return keep;  // never override the user's or the system's choice
    const auto best = bestKernelFor(in.cpu);
    const int rank = blasCoreRank(in.activeCore);
    if (!best || rank < 0 || rank >= blasCoreRank(*best) || !in.selfCheckPassed) return keep;
    BlasKernelDecision faster;
    faster.restart = true;
    faster.coreType = *best;
    return faster;
}

CpuFeatures detectCpuFeatures() {
    CpuFeatures features;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    features.avx2Fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    features.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512cd");
#endif
    return features;
}

std::string activeBlasCore() {
    using CoreName = char* (*)();
    const auto coreName = reinterpret_cast<CoreName>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    if (!coreName) return {};
    const char* name = coreName();
    return name ? std::string(name) : std::string();
}

bool blasSelfCheck() {
    constexpr int64_t M = 64, K = 48, N = 32;
    std::vector<float> a(M * K), b(K * N);
    for (size_t i = 0; i < a.size(); ++i) a[i] = float(std::sin(0.37 * double(i)));
    for (size_t i = 0; i < b.size(); ++i) b[i] = float(std::cos(0.23 * double(i)));
    const auto A = torch::from_blob(a.data(), {M, K});  // [M, K]
    const auto B = torch::from_blob(b.data(), {K, N});  // [K, N]
    const auto C = torch::mm(A, B).contiguous();        // [M, N]
    const float* c = C.data_ptr<float>();
    double worst = 0;
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
            double exact = 0;
            for (int64_t k = 0; k < K; ++k) exact += double(a[i * K + k]) * double(b[k * N + j]);
            worst = std::max(worst, std::abs(exact - double(c[i * N + j])));
        }
    return worst <= 1e-4;  // |C| <= 48; fp32 rounding over 48 terms stays near 1e-5
}

std::string blasCoreSummary() {
    const std::string core = activeBlasCore();
    if (core.empty()) return "not OpenBLAS";
    const auto ours = env(kMarker), set = env("OPENBLAS_CORETYPE");
    std::string how = "chosen by OpenBLAS";
    if (ours && set && *ours == *set)
        how = "chosen by Needlescope for this CPU";
    else if (set)
        how = "set by OPENBLAS_CORETYPE";
    std::string summary = "OpenBLAS core " + core + " (" + how + ")";
    const auto best = bestKernelFor(detectCpuFeatures());
    if (best && blasCoreRank(core) >= 0 && blasCoreRank(core) < blasCoreRank(*best))
        summary += "; this CPU could use " + *best;
    return summary;
}

std::vector<std::pair<std::string, std::string>> openMpWaitSettings(const std::optional<std::string>& policy,
                                                                    const std::optional<std::string>& spins) {
    if (policy) return {};
    std::vector<std::pair<std::string, std::string>> settings{{"OMP_WAIT_POLICY", "PASSIVE"}};
    if (!spins) settings.emplace_back("GOMP_SPINCOUNT", "3000");
    return settings;
}

void prepareProcess(char** argv) {
#ifdef __linux__
    if (!argv || !argv[0]) return;
    // libgomp reads these when it loads, before main: set them, then re-execute.
    bool restart = false;
    for (const auto& [name, value] : openMpWaitSettings(env("OMP_WAIT_POLICY"), env("GOMP_SPINCOUNT"))) {
        ::setenv(name.c_str(), value.c_str(), 1);
        restart = true;
    }
    BlasKernelInputs inputs;
    inputs.cpu = detectCpuFeatures();
    inputs.activeCore = activeBlasCore();
    inputs.ourCoreType = env(kMarker);
    const auto set = env("OPENBLAS_CORETYPE");
    if (set && (!inputs.ourCoreType || *inputs.ourCoreType != *set)) inputs.userCoreType = set;
    if (inputs.ourCoreType && set && *inputs.ourCoreType != *set)
        inputs.ourCoreType.reset();  // the user's now
    if (!inputs.activeCore.empty()) inputs.selfCheckPassed = blasSelfCheck();
    const BlasKernelDecision decision = decideBlasKernel(inputs);
    if (!decision.note.empty()) std::fprintf(stderr, "needlescope: %s\n", decision.note.c_str());
    if (decision.restart) {
        ::setenv("OPENBLAS_CORETYPE", decision.coreType.c_str(), 1);
        ::setenv(kMarker, decision.coreType.c_str(), 1);
        restart = true;
    }
    if (restart) ::execv("/proc/self/exe", argv);  // returns only on failure: carry on as we are
#else
    (void)argv;
#endif
}

}  // namespace needlescope
