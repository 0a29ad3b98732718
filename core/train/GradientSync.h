#pragma once
// Data-parallel gradient averaging for one model (issue 11): every rank starts from rank 0's weights, and
// after each backward pass the gradients are summed over ranks in buckets of about `bucketBytes` (each
// bucket one flat tensor, all buckets in flight at once, then unpacked). Ranks scale their loss by their
// share of the global batch's loss weight, so the sum is the global batch's gradient.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace needlescope {

class DistributedContext;

class GradientSync {
  public:
    GradientSync(DistributedContext& context, std::vector<torch::Tensor> parameters,
                 int64_t bucketBytes = int64_t(25) << 20);

    // Copies rank 0's parameter values to every rank.
    void broadcastParameters();
    // Sums every parameter's gradient over ranks (a missing gradient counts as zeros) together with
    // `extra` (e.g. the scaled loss, a [k] float tensor summed in place). Throws PeerLost.
    void allReduce(torch::Tensor& extra);

  private:
    DistributedContext& context_;
    std::vector<torch::Tensor> parameters_;
    std::vector<std::vector<size_t>> buckets_;  // parameter indices per bucket, in registration order
};

}  // namespace needlescope
