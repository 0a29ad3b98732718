#include "core/train/ModelTrainer.h"

#include "core/train/DistributedContext.h"
#include "core/train/GradientSync.h"
#include "core/train/Schedule.h"

namespace needlescope {

ModelTrainer::ModelTrainer(int64_t runId, const ModelConfig& model, const OptimizerConfig& optimizer,
                           torch::Device device, Precision precision)
    : runId_(runId), model_(model), optimizerConfig_(optimizer), device_(device), precision_(precision) {
    model_->to(device_);
    model_->train();
    // Weight decay on matrices (projections, embedding) only; norms and λ vectors are not decayed.
    std::vector<torch::Tensor> decayed, plain;
    for (auto& p : model_->parameters()) (p.dim() >= 2 ? decayed : plain).push_back(p);
    auto options = torch::optim::AdamWOptions(optimizer.lr).betas({optimizer.beta1, optimizer.beta2});
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decayed,
                        std::make_unique<torch::optim::AdamWOptions>(
                            torch::optim::AdamWOptions(options).weight_decay(optimizer.weightDecay)));
    groups.emplace_back(plain, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(options).weight_decay(0.0)));
    optimizer_ = std::make_unique<torch::optim::AdamW>(std::move(groups), options);
}

ModelTrainer::~ModelTrainer() = default;

void ModelTrainer::joinDataParallel(DistributedContext& context) {
    distributed_ = &context;
    gradientSync_ = std::make_unique<GradientSync>(context, model_->parameters());
    gradientSync_->broadcastParameters();
}

ModelMetrics ModelTrainer::trainStep(const Batch& batch, int64_t stepIndex, int64_t totalSteps,
                                     BatchShare share) {
    const double lr = learningRate(optimizerConfig_, stepIndex, totalSteps);
    for (auto& group : optimizer_->param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer_->zero_grad();
    const torch::Tensor weights =
        batch.weights.defined() ? batch.weights.to(device_) : torch::Tensor();  // [B, T]
    torch::Tensor loss;
    {
        AutocastScope autocast(precision_, device_);  // the backward pass runs outside it, as PyTorch's does
        loss = model_->loss(batch.inputs.to(device_), batch.targets.to(device_), weights);  // []
    }
    if (gradientSync_) {
        // Σ over ranks of (this rank's weighted mean · its weight share) = the global batch's weighted mean.
        loss = loss * share.lossShare;  // []
        gradientSync_->prepare();
        loss.backward();                           // buckets start their sums as their gradients arrive
        auto summed = loss.detach().reshape({1});  // [1]
        gradientSync_->finish(summed);             // clipping below then sees the global gradient
        loss = summed.reshape({});                 // []
    } else {
        loss.backward();
    }
    const double gradNorm =
        torch::nn::utils::clip_grad_norm_(model_->parameters(), optimizerConfig_.clipNorm);
    optimizer_->step();
    // (the context schedule makes this differ from step · B · T)
    tokensSeen_ += share.globalTokens >= 0 ? share.globalTokens : batch.inputs.numel();

    ModelMetrics metrics;
    metrics.runId = runId_;
    metrics.kind = kind();
    metrics.trainLoss = loss.item<double>();
    metrics.lr = lr;
    metrics.gradNorm = gradNorm;
    metrics.lambdas = model_->lambdas();
    return metrics;
}

double ModelTrainer::evaluate(const std::vector<Batch>& batches) {
    torch::NoGradGuard noGrad;
    model_->eval();
    double total = 0;
    const int ranks = distributed_ ? distributed_->worldSize() : 1;
    const int rank = distributed_ ? distributed_->rank() : 0;
    for (size_t i = 0; i < batches.size(); ++i) {
        if (int(i % size_t(ranks)) != rank) continue;  // batch i is evaluated by rank i mod ranks
        const auto& batch = batches[i];
        total += model_->loss(batch.inputs.to(device_), batch.targets.to(device_)).item<double>();
    }
    if (distributed_) {
        std::vector<torch::Tensor> sum{torch::full({1}, total, torch::kFloat64).to(device_)};  // [1]
        distributed_->allReduceSum(sum);
        total = sum[0].cpu().item<double>();
    }
    model_->train();
    return batches.empty() ? 0.0 : total / double(batches.size());
}

CheckpointWrite ModelTrainer::save(const std::string& path, int64_t step, int64_t dataPosition,
                                   double wallSeconds) {
    CheckpointState state;
    state.step = step;
    state.dataPosition = dataPosition;
    state.tokensSeen = tokensSeen_;
    state.wallSeconds = wallSeconds;
    return saveCheckpoint(path, *model_, *optimizer_, state);
}

CheckpointState ModelTrainer::load(const std::string& path) {
    const CheckpointState state = loadCheckpoint(path, *model_, optimizer_.get());
    model_->to(device_);
    tokensSeen_ = state.tokensSeen;
    return state;
}

}  // namespace needlescope
