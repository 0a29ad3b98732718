#include "core/model/SlicedAttention.h"

#include "core/model/LeanAutograd.h"
#include "core/model/ParallelFor.h"

namespace needlescope {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Slices per work item: about chunkBytes of maps.
int64_t slicesPerChunk(int64_t maps, int64_t T, int64_t chunkBytes) {
    const int64_t bytesPerSlice = maps * T * T * int64_t(sizeof(float));
    return std::max<int64_t>(1, chunkBytes / std::max<int64_t>(1, bytesPerSlice));
}

// Runs fn(first, count) over [0, S) in chunks, the chunks spread over the threads.
template <typename Fn>
void forEachChunk(int64_t S, int64_t chunk, const Fn& fn) {
    parallelForWithCallerState(0, S, chunk, [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; b += chunk) fn(b, std::min(chunk, end - b));
    });
}

struct Slices {
    const torch::Tensor& q;  // [S, P, T, d]
    const torch::Tensor& k;  // [S, P, T, d]
    const torch::Tensor& v;  // [S, T, e]
    const torch::Tensor& lambda;
    const torch::Tensor& mask;  // [T, T]: 0 on and below the diagonal, −inf above
    double scale;
    int64_t chunkBytes;

    int64_t maps() const { return q.size(1); }
    int64_t T() const { return q.size(2); }
    int64_t chunk() const { return slicesPerChunk(maps(), T(), chunkBytes); }

    // The softmax maps of slices [b, b + G): [G, P, T, T].
    torch::Tensor probs(int64_t b, int64_t G) const {
        const int64_t P = maps(), n = T(), d = q.size(3);
        auto qc = q.narrow(0, b, G).view({G * P, n, d});                             // [G·P, T, d]
        auto kc = k.narrow(0, b, G).view({G * P, n, d});                             // [G·P, T, d]
        auto scores = at::baddbmm(mask, qc, kc.transpose(1, 2), /*beta=*/1, scale);  // [G·P, T, T]
        return at::softmax(scores, -1).view({G, P, n, n});                           // [G, P, T, T]
    }

    // λ of slices [b, b + G): [] or [G, T, 1].
    torch::Tensor lambdaOf(int64_t b, int64_t G) const {
        return lambda.dim() == 0 ? lambda : lambda.narrow(0, b, G);
    }

    // The map that multiplies v: A (P = 1) or A1 − λ·A2 (P = 2). [G, T, T]
    torch::Tensor mixed(const torch::Tensor& p, int64_t b, int64_t G) const {
        if (maps() == 1) return p.select(1, 0);                                  // [G, T, T]
        return at::addcmul(p.select(1, 0), p.select(1, 1), lambdaOf(b, G), -1);  // [G, T, T]
    }
};

torch::Tensor forwardSlices(const Slices& s) {
    const int64_t S = s.q.size(0), n = s.T(), e = s.v.size(2);
    auto out = torch::empty({S, n, e}, s.v.options());  // [S, T, e]
    forEachChunk(S, s.chunk(), [&](int64_t b, int64_t G) {
        auto outChunk = out.narrow(0, b, G);  // [G, T, e]
        at::bmm_out(outChunk, s.mixed(s.probs(b, G), b, G), s.v.narrow(0, b, G));
    });
    return out;
}

struct SlicedAttentionFunction : public torch::autograd::Function<SlicedAttentionFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, const torch::Tensor& lambda,
                                 const torch::Tensor& mask, double scale, int64_t chunkBytes) {
        ctx->save_for_backward({q, k, v, lambda, mask});
        ctx->saved_data["scale"] = scale;
        ctx->saved_data["chunkBytes"] = chunkBytes;
        return forwardSlices({q, k, v, lambda, mask, scale, chunkBytes});
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list gradOutputs) {
        const auto saved = ctx->get_saved_variables();
        const auto &q = saved[0], &k = saved[1], &v = saved[2], &lambda = saved[3], &mask = saved[4];
        const double scale = ctx->saved_data["scale"].toDouble();
        const Slices s{q, k, v, lambda, mask, scale, ctx->saved_data["chunkBytes"].toInt()};
        const auto grad = gradOutputs[0].contiguous();  // [S, T, e]
        const int64_t S = q.size(0), P = s.maps(), n = s.T(), d = q.size(3);
        auto gradQ = torch::empty_like(q), gradK = torch::empty_like(k), gradV = torch::empty_like(v);
        const bool perRow = P == 2 && lambda.dim() > 0;
        // DIFF's one λ: a partial sum per slice, added up after (no two threads write one number).
        auto gradLambda = P == 1   ? torch::Tensor()
                          : perRow ? torch::empty_like(lambda)        // [S, T, 1]
                                   : torch::empty({S}, q.options());  // [S]
        forEachChunk(S, s.chunk(), [&](int64_t b, int64_t G) {
            const auto p = s.probs(b, G);                                           // [G, P, T, T]
            const auto dO = grad.narrow(0, b, G);                                   // [G, T, e]
            const auto gradMixed = at::bmm(dO, v.narrow(0, b, G).transpose(1, 2));  // [G, T, T]
            auto gradVChunk = gradV.narrow(0, b, G);                                // [G, T, e]
            at::bmm_out(gradVChunk, s.mixed(p, b, G).transpose(1, 2), dO);
            if (P == 2) {
                const auto second = gradMixed * p.select(1, 1);  // [G, T, T]
                if (perRow)
                    gradLambda.narrow(0, b, G).copy_(-second.sum(-1, true));  // [G, T, 1]
                else
                    gradLambda.narrow(0, b, G).copy_(-second.sum({1, 2}));  // [G]
            }
            // Softmax backward, fused: dS = A ⊙ (dA − rowsum(dA ⊙ A)). Both maps get dA = dM; the second's
            // true dA is −λ·dM, and λ (one number, or one per row) comes out of the row sum, so it is applied
            // after.
            auto gradScores = at::_softmax_backward_data(gradMixed.unsqueeze(1).expand({G, P, n, n}), p, -1,
                                                         p.scalar_type());  // [G, P, T, T]
            if (P == 2) gradScores.select(1, 1).mul_(-s.lambdaOf(b, G));
            const auto flat = gradScores.view({G * P, n, n});             // [G·P, T, T]
            auto gradQChunk = gradQ.narrow(0, b, G).view({G * P, n, d});  // [G·P, T, d]
            auto gradKChunk = gradK.narrow(0, b, G).view({G * P, n, d});  // [G·P, T, d]
            at::bmm_out(gradQChunk, flat, k.narrow(0, b, G).view({G * P, n, d}));
            at::bmm_out(gradKChunk, flat.transpose(1, 2), q.narrow(0, b, G).view({G * P, n, d}));
            gradQChunk.mul_(scale);  // the scores' scale, on [T, d] rather than [T, T]
            gradKChunk.mul_(scale);
        });
        if (P == 2 && !perRow) gradLambda = gradLambda.sum();  // []
        return {gradQ, gradK, gradV, gradLambda, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor slicedCausalAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const torch::Tensor& lambda, const torch::Tensor& mask, double scale,
                                    int64_t chunkBytes) {
    const auto qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    const auto lam = lambda.defined() ? lambda : torch::zeros({}, q.options());  // unused when P = 1
    if (needsGraph({qc, kc, vc, lam}))
        return SlicedAttentionFunction::apply(qc, kc, vc, lam, mask, scale, chunkBytes);
    return forwardSlices({qc, kc, vc, lam, mask, scale, chunkBytes});
}

}  // namespace needlescope
