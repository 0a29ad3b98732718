#include "core/util/Autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/util/Error.h"

namespace needlescope {
namespace {

// LibTorch 2.4 moved autocast state to per-device-type functions; 1.13 has the CUDA-only ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool cudaAutocastEnabled() { return at::autocast::is_autocast_enabled(at::kCUDA); }
void setCudaAutocast(bool on) { at::autocast::set_autocast_enabled(at::kCUDA, on); }
void setCudaAutocastBf16() { at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16); }
#else
bool cudaAutocastEnabled() { return at::autocast::is_enabled(); }
void setCudaAutocast(bool on) { at::autocast::set_enabled(on); }
void setCudaAutocastBf16() { at::autocast::set_autocast_gpu_dtype(at::kBFloat16); }
#endif

}  // namespace

Precision precisionFromString(const std::string& text) {
    if (text == "fp32") return Precision::Fp32;
    if (text == "bf16") return Precision::Bf16;
    throw Error("unknown precision '" + text + "'; expected fp32 or bf16");
}

std::string toString(Precision precision) { return precision == Precision::Bf16 ? "bf16" : "fp32"; }

std::string precisionProblem(Precision precision, const torch::Device& device) {
    if (precision == Precision::Bf16 && !device.is_cuda())
        return "bf16 autocast needs a CUDA device (--device cuda); on the CPU training runs in fp32";
    return {};
}

AutocastScope::AutocastScope(Precision precision, const torch::Device& device)
    : active_(precision == Precision::Bf16 && device.is_cuda()) {
    if (!active_) return;
    wasEnabled_ = cudaAutocastEnabled();
    setCudaAutocastBf16();
    setCudaAutocast(true);
    at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
    if (!active_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();  // the cast weights of this step
    setCudaAutocast(wasEnabled_);
}

AutocastPause::AutocastPause() : wasEnabled_(cudaAutocastEnabled()) {
    if (wasEnabled_) setCudaAutocast(false);
}

AutocastPause::~AutocastPause() {
    if (wasEnabled_) setCudaAutocast(true);
}

}  // namespace needlescope
