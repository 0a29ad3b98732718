#pragma once
// Mixed precision for CUDA training: bf16 autocast around the forward pass, fp32 for the loss.
#include <torch/types.h>

#include <string>

namespace needlescope {

enum class Precision { Fp32, Bf16 };

Precision precisionFromString(const std::string& text);  // "fp32" | "bf16"; throws Error otherwise
std::string toString(Precision precision);
// Why `precision` cannot be used on `device` (bf16 autocast is a CUDA feature here), or empty when it can.
std::string precisionProblem(Precision precision, const torch::Device& device);

// While alive, CUDA ops run under bf16 autocast (matmuls in bf16, reductions in fp32), exactly as
// `torch.autocast("cuda", torch.bfloat16)`; does nothing for Fp32 or a CPU device.
class AutocastScope {
  public:
    AutocastScope(Precision precision, const torch::Device& device);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

  private:
    bool active_ = false;
    bool wasEnabled_ = false;
};

// While alive, CUDA autocast is off (the loss head runs in fp32 inside an AutocastScope).
class AutocastPause {
  public:
    AutocastPause();
    ~AutocastPause();
    AutocastPause(const AutocastPause&) = delete;
    AutocastPause& operator=(const AutocastPause&) = delete;

  private:
    bool wasEnabled_ = false;
};

}  // namespace needlescope
