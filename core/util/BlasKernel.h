#pragma once
// Which OpenBLAS kernel this process should run on (issue 10). Debian's OpenBLAS falls back to its generic
// "Prescott" (SSE3) kernel on CPUs newer than itself, 2-3x slower; OPENBLAS_CORETYPE picks a kernel, but
// only when set before the library loads, so the fix is to decide at start-up and re-execute once.
// The decision is a pure function of what was observed, so every branch is testable.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace needlescope {

struct CpuFeatures {
    bool avx512 = false;   // AVX-512 F, BW, VL, DQ and CD: what OpenBLAS's SkylakeX kernel uses
    bool avx2Fma = false;  // AVX2 and FMA: the Haswell kernel
};

struct BlasKernelInputs {
    CpuFeatures cpu;
    std::string activeCore;                   // openblas_get_corename(); empty when the BLAS is not OpenBLAS
    std::optional<std::string> userCoreType;  // OPENBLAS_CORETYPE set by the user or the system, never by us
    std::optional<std::string> ourCoreType;   // the kernel we chose before re-executing this process
    bool selfCheckPassed = true;              // a small GEMM agreed with a naive product
};

struct BlasKernelDecision {
    bool restart = false;  // re-execute with OPENBLAS_CORETYPE = coreType
    std::string coreType;
    std::string note;  // for the log when something is worth saying (empty otherwise)
};

BlasKernelDecision decideBlasKernel(const BlasKernelInputs& inputs);

// 0 generic SSE, 1 AVX, 2 AVX2, 3 AVX-512; -1 for a name this table does not know (left alone).
int blasCoreRank(const std::string& coreName);
std::optional<std::string> bestKernelFor(const CpuFeatures& cpu);     // SkylakeX, Haswell or none
std::optional<std::string> saferKernel(const std::string& coreType);  // the next kernel down, if any

CpuFeatures detectCpuFeatures();  // cpuid on x86, nothing elsewhere
std::string activeBlasCore();     // openblas_get_corename() looked up at run time; empty when absent
bool blasSelfCheck();             // a 64x48x32 fp32 GEMM against a naive double product
std::string blasCoreSummary();    // "OpenBLAS core Haswell (chosen by Needlescope)" and the like

// The OpenMP wait settings to put in the environment, given the user's OMP_WAIT_POLICY and GOMP_SPINCOUNT:
// PASSIVE (idle workers sleep, so the UI and other programs keep their cores) after a short spin of 3,000
// iterations (tens of microseconds: a training step starts ~800 parallel regions, and waking a sleeping
// worker costs ~50 us on these machines; bench small 2 threads: 3,549 -> 3,942 tokens/s). Anything the
// user set is kept; a user's OMP_WAIT_POLICY alone decides (ACTIVE means spin).
std::vector<std::pair<std::string, std::string>> openMpWaitSettings(const std::optional<std::string>& policy,
                                                                    const std::optional<std::string>& spins);

// At the very start of main(): the OpenMP wait settings and the BLAS kernel; may re-execute the process once
// (before anything else has happened, so nothing is lost). Notes go to stderr.
void prepareProcess(char** argv);

}  // namespace needlescope
