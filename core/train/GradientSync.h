#pragma once
// Data-parallel gradient averaging for one model (issue 11), overlapped with the backward pass: the
// parameters are grouped into buckets of about `bucketBytes`, output end first (the order backward produces
// their gradients); a hook on each parameter copies its gradient into its bucket's flat buffer, and a bucket
// whose gradients have all arrived starts its sum over ranks at once while backward goes on. Buckets start
// strictly in order, so every rank issues the same collectives in the same order. Ranks scale their loss by
// their share of the global batch's loss weight, so the sums are the global batch's gradient.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace needlescope {

class DistributedContext;

class GradientSync {
  public:
    // Registers the gradient hooks on `parameters` (which must outlive this object).
    GradientSync(DistributedContext& context, std::vector<torch::Tensor> parameters,
                 int64_t bucketBytes = int64_t(25) << 20);

    // Copies rank 0's parameter values to every rank.
    void broadcastParameters();
    // Before backward: no bucket has started.
    void prepare();
    // After backward: starts the buckets not started yet (a parameter without a gradient counts as zeros),
    // waits for every sum, writes the summed gradients into the parameters' .grad and sums `extra` (e.g.
    // the scaled loss) over ranks in place. Throws PeerLost.
    void finish(torch::Tensor& extra);

  private:
    void arrived(size_t parameter, const torch::Tensor& grad);  // the hook
    void startReadyBuckets(bool all);

    struct Bucket {
        std::vector<size_t> parameters;  // indices into parameters_
        std::vector<int64_t> offsets;    // of each in `flat`
        torch::Tensor flat;              // [Σ numel]
        size_t arrived = 0;
        std::function<void()> wait;  // set once its sum has started
    };
    DistributedContext& context_;
    std::vector<torch::Tensor> parameters_;
    std::vector<Bucket> buckets_;
    std::vector<std::pair<size_t, size_t>> place_;  // per parameter: bucket, position in the bucket
    size_t nextToStart_ = 0;
    bool active_ = false;  // between prepare() and finish()
};

}  // namespace needlescope
