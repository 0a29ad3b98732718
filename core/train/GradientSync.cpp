#include "core/train/GradientSync.h"

#include "core/train/DistributedContext.h"

namespace needlescope {

GradientSync::GradientSync(DistributedContext& context, std::vector<torch::Tensor> parameters,
                           int64_t bucketBytes)
    : context_(context), parameters_(std::move(parameters)), place_(parameters_.size()) {
    int64_t filled = 0;
    // Output end first: the head and the last layers' gradients are the first backward produces.
    for (size_t k = parameters_.size(); k-- > 0;) {
        const auto& p = parameters_[k];
        const int64_t bytes = p.numel() * int64_t(p.element_size());
        if (buckets_.empty() || (filled > 0 && filled + bytes > bucketBytes)) {
            buckets_.emplace_back();
            filled = 0;
        }
        auto& bucket = buckets_.back();
        place_[k] = {buckets_.size() - 1, bucket.parameters.size()};
        bucket.offsets.push_back(bucket.parameters.empty()
                                     ? 0
                                     : bucket.offsets.back() + parameters_[bucket.parameters.back()].numel());
        bucket.parameters.push_back(k);
        filled += bytes;
    }
    for (auto& bucket : buckets_) {
        int64_t n = 0;
        for (size_t k : bucket.parameters) n += parameters_[k].numel();
        bucket.flat = torch::zeros({n}, parameters_.front().options().requires_grad(false));  // [n]
    }
    for (size_t k = 0; k < parameters_.size(); ++k)
        parameters_[k].register_hook([this, k](const torch::Tensor& grad) { arrived(k, grad); });
}

void GradientSync::broadcastParameters() {
    torch::NoGradGuard noGrad;
    for (auto& bucket : buckets_) {
        for (size_t j = 0; j < bucket.parameters.size(); ++j) {
            const auto& p = parameters_[bucket.parameters[j]];
            bucket.flat.narrow(0, bucket.offsets[j], p.numel()).copy_(p.detach().reshape({-1}));
        }
        std::vector<torch::Tensor> packed{bucket.flat};  // [n]
        context_.broadcast(packed);
        for (size_t j = 0; j < bucket.parameters.size(); ++j) {
            auto& p = parameters_[bucket.parameters[j]];
            p.detach().copy_(bucket.flat.narrow(0, bucket.offsets[j], p.numel()).view_as(p));  // rank 0's
        }
    }
}

void GradientSync::prepare() {
    for (auto& bucket : buckets_) {
        bucket.flat.zero_();
        bucket.arrived = 0;
        bucket.wait = nullptr;
    }
    nextToStart_ = 0;
    active_ = true;
}

void GradientSync::arrived(size_t parameter, const torch::Tensor& grad) {
    if (!active_) return;  // a backward pass outside a training step
    const auto [b, j] = place_[parameter];
    auto& bucket = buckets_[b];
    torch::NoGradGuard noGrad;
    bucket.flat.narrow(0, bucket.offsets[j], grad.numel()).add_(grad.reshape({-1}));  // [numel]
    ++bucket.arrived;
    startReadyBuckets(false);
}

void GradientSync::startReadyBuckets(bool all) {
    while (nextToStart_ < buckets_.size()) {
        auto& bucket = buckets_[nextToStart_];
        if (!all && bucket.arrived < bucket.parameters.size()) return;
        std::vector<torch::Tensor> packed{bucket.flat};  // [n]
        bucket.wait = context_.allReduceSumAsync(packed);
        ++nextToStart_;
    }
}

void GradientSync::finish(torch::Tensor& extra) {
    torch::NoGradGuard noGrad;
    active_ = false;
    startReadyBuckets(true);
    std::vector<torch::Tensor> extraSum{
        extra.reshape({-1}).to(torch::kFloat64).to(buckets_.front().flat.device())};
    auto waitExtra = context_.allReduceSumAsync(extraSum);  // [k]
    for (auto& bucket : buckets_) {
        bucket.wait();
        for (size_t j = 0; j < bucket.parameters.size(); ++j) {
            auto& p = parameters_[bucket.parameters[j]];
            const auto summed =
                bucket.flat.narrow(0, bucket.offsets[j], p.numel()).view_as(p);  // [shape of p]
            if (p.mutable_grad().defined())
                p.mutable_grad().copy_(summed);
            else
                p.mutable_grad() = summed.clone();
        }
    }
    waitExtra();
    extra.copy_(extraSum[0].view_as(extra).to(extra.options()));
}

}  // namespace needlescope
