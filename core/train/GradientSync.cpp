#include "core/train/GradientSync.h"

#include <functional>

#include "core/train/DistributedContext.h"

namespace needlescope {

GradientSync::GradientSync(DistributedContext& context, std::vector<torch::Tensor> parameters,
                           int64_t bucketBytes)
    : context_(context), parameters_(std::move(parameters)) {
    int64_t filled = 0;
    for (size_t i = 0; i < parameters_.size(); ++i) {
        const int64_t bytes = parameters_[i].numel() * int64_t(parameters_[i].element_size());
        if (buckets_.empty() || filled + bytes > bucketBytes) {
            buckets_.emplace_back();
            filled = 0;
        }
        buckets_.back().push_back(i);
        filled += bytes;
    }
}

void GradientSync::broadcastParameters() {
    torch::NoGradGuard noGrad;
    for (const auto& bucket : buckets_) {
        std::vector<torch::Tensor> flat;
        for (size_t i : bucket) flat.push_back(parameters_[i].detach().reshape({-1}));  // [n_i]
        std::vector<torch::Tensor> packed{torch::cat(flat)};                            // [Σ n_i]
        context_.broadcast(packed);
        int64_t offset = 0;
        for (size_t i : bucket) {
            auto& p = parameters_[i];
            p.detach().copy_(packed[0].narrow(0, offset, p.numel()).view_as(p));  // rank 0's values
            offset += p.numel();
        }
    }
}

void GradientSync::allReduce(torch::Tensor& extra) {
    torch::NoGradGuard noGrad;
    // One flat tensor per bucket, the extra values riding in the last one; all sums start before any wait.
    std::vector<std::vector<torch::Tensor>> packed(buckets_.size());
    std::vector<std::function<void()>> pending;
    for (size_t b = 0; b < buckets_.size(); ++b) {
        std::vector<torch::Tensor> flat;
        for (size_t i : buckets_[b]) {
            const auto& p = parameters_[i];
            flat.push_back(p.grad().defined() ? p.grad().reshape({-1})
                                              : torch::zeros({p.numel()}, p.options()));
        }
        if (b + 1 == buckets_.size()) flat.push_back(extra.reshape({-1}).to(parameters_.front().options()));
        packed[b] = {torch::cat(flat)};  // [Σ n_i (+ k)]
        pending.push_back(context_.allReduceSumAsync(packed[b]));
    }
    for (size_t b = 0; b < buckets_.size(); ++b) {
        pending[b]();
        int64_t offset = 0;
        for (size_t i : buckets_[b]) {
            auto& p = parameters_[i];
            const auto summed = packed[b][0].narrow(0, offset, p.numel()).view_as(p);  // [shape of p]
            if (p.mutable_grad().defined())
                p.mutable_grad().copy_(summed);
            else
                p.mutable_grad() = summed.clone();
            offset += p.numel();
        }
        if (b + 1 == buckets_.size())
            extra.copy_(packed[b][0].narrow(0, offset, extra.numel()).view_as(extra).to(extra.options()));
    }
}

}  // namespace needlescope
