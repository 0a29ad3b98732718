#include "core/model/BatchedMatmul.h"

#include "core/model/ParallelFor.h"

namespace needlescope {
namespace {

// Plain (non-autograd) product, one GEMM per batch item, batch items spread over the threads.
torch::Tensor parallelBmm(const torch::Tensor& a, const torch::Tensor& b) {
    auto out = torch::empty({a.size(0), a.size(1), b.size(2)}, a.options());  // [N, M, P]
    parallelForWithCallerState(0, a.size(0), 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            auto slice = out.select(0, i);  // [M, P]
            at::mm_out(slice, a.select(0, i), b.select(0, i));
        }
    });
    return out;
}

struct ParallelBmmFunction : public torch::autograd::Function<ParallelBmmFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a,
                                 const torch::Tensor& b) {
        ctx->save_for_backward({a, b});
        return parallelBmm(a, b);  // [N, M, P]
    }
    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& a = saved[0];                 // [N, M, K]
        const auto& b = saved[1];                 // [N, K, P]
        const auto grad = grads[0].contiguous();  // [N, M, P]
        torch::Tensor gradA, gradB;
        if (ctx->needs_input_grad(0)) gradA = parallelBmm(grad, b.transpose(1, 2));  // [N, M, K]
        if (ctx->needs_input_grad(1)) gradB = parallelBmm(a.transpose(1, 2), grad);  // [N, K, P]
        return {gradA, gradB};
    }
};

}  // namespace

torch::Tensor batchedMatmul(const torch::Tensor& a, const torch::Tensor& b) {
    if (!a.device().is_cpu()) return torch::matmul(a, b);
    if (torch::GradMode::is_enabled() && (a.requires_grad() || b.requires_grad()))
        return ParallelBmmFunction::apply(a, b);
    return parallelBmm(a, b);
}

}  // namespace needlescope
