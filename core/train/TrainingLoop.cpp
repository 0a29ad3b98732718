#include "core/train/TrainingLoop.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/data/Batcher.h"
#include "core/store/RunStore.h"
#include "core/train/CheckpointFile.h"
#include "core/train/DistributedContext.h"
#include "core/train/ModelTrainer.h"
#include "core/train/TrainingControl.h"
#include "core/train/TrainingSink.h"

namespace needlescope {

TrainingLoop::TrainingLoop(const TrainConfig& config, RunStore* store,
                           std::vector<std::unique_ptr<ModelTrainer>>& trainers, TrainingData data,
                           StepRange steps, TrainingChannels channels, CheckpointPathFn checkpointPath,
                           DistributedContext* distributed)
    : config_(config),
      store_(store),
      trainers_(trainers),
      data_(data),
      steps_(steps),
      channels_(channels),
      checkpointPath_(std::move(checkpointPath)),
      distributed_(distributed),
      pending_(trainers.size()),
      unlogged_(trainers.size()) {}

int64_t TrainingLoop::tokensBefore(int64_t step) const {
    // The context schedule makes steps differ in length.
    int64_t n = 0;
    for (int64_t i = 0; i < step; ++i) n += config_.batchSize * config_.contextAt(i);
    return n;
}

double TrainingLoop::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count() -
           pausedSeconds_;
}

RunStatus TrainingLoop::run() {
    startTokens_ = tokensBefore(steps_.startStep);
    tokensDone_ = startTokens_;
    started_ = std::chrono::steady_clock::now();

    int64_t step = steps_.startStep;
    const int64_t totalSteps = steps_.totalSteps;
    while (step < totalSteps) {
        const auto waitFrom = std::chrono::steady_clock::now();
        const auto request = TrainingControl::Request(
            agreedRequest(int(channels_.control.checkpoint())));  // blocks while paused
        pausedSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - waitFrom).count();
        if (request == TrainingControl::Request::Cancel) {
            storeUnloggedStep();
            flush();
            return RunStatus::Cancelled;
        }
        if (request == TrainingControl::Request::Stop) {
            storeUnloggedStep();
            saveAll(step);
            return RunStatus::Interrupted;
        }
        const Batch batch = nextBatch(step);
        ++step;
        tokensDone_ += batch.inputs.numel();
        BatchShare share;
        const Batch local = shardOf(batch, share);
        std::vector<ModelMetrics> metrics(trainers_.size());
        for (size_t i = 0; i < trainers_.size(); ++i)
            metrics[i] = trainers_[i]->trainStep(local, step - 1, totalSteps, share);
        recordTrainMetrics(step, metrics, steps_.priorSeconds + elapsed());
        if (step % config_.evalEvery == 0 || step == totalSteps) evaluateAll(step, metrics);
        for (const auto& m : metrics) channels_.sink.onMetrics(m);
        if (store_ && channels_.probe && probeDue(step))
            for (auto& t : trainers_) channels_.probe(t->runId(), t->model(), step);
        reportProgress(step);

        if (step % config_.checkpointEvery == 0 || step == totalSteps)
            saveAll(step);
        else if (step % kMetricFlushEvery == 0)
            flush();
    }
    flush();
    return RunStatus::Finished;
}

Batch TrainingLoop::nextBatch(int64_t stepIndex) {
    Batch batch = data_.batcher.next();
    const int64_t context = config_.contextAt(stepIndex);  // [B, T] narrowed to the scheduled context
    if (context < batch.inputs.size(1)) {
        batch.inputs = batch.inputs.narrow(1, 0, context);    // [B, context]
        batch.targets = batch.targets.narrow(1, 0, context);  // [B, context]
    }
    if (data_.curriculum)
        data_.curriculum->apply(batch, data_.batcher.position() - 1);  // training batches only
    return batch;
}

Batch TrainingLoop::shardOf(const Batch& global, BatchShare& share) const {
    share.globalTokens = global.inputs.numel();
    if (!distributed_ || distributed_->worldSize() == 1) return global;
    // Rank r takes rows [r·B/N, (r+1)·B/N): disjoint, together the whole batch, decided by the batch alone.
    const int64_t rows = global.inputs.size(0);
    const int64_t ranks = distributed_->worldSize();
    const int64_t first = distributed_->rank() * rows / ranks;
    const int64_t count = (distributed_->rank() + 1) * rows / ranks - first;
    Batch local;
    local.inputs = global.inputs.narrow(0, first, count);    // [b, T]
    local.targets = global.targets.narrow(0, first, count);  // [b, T]
    if (global.weights.defined()) {
        local.weights = global.weights.narrow(0, first, count);  // [b, T]
        const double total = global.weights.to(torch::kFloat64).sum().item<double>();
        share.lossShare = total > 0 ? local.weights.to(torch::kFloat64).sum().item<double>() / total : 0.0;
    } else {
        share.lossShare = double(count) / double(rows);  // every target weighs 1
    }
    return local;
}

int TrainingLoop::agreedRequest(int request) {
    if (!distributed_) return request;
    // One slot per request kind, summed over ranks: any rank's Ctrl-C stops every rank at the same step.
    auto votes = torch::zeros({3}, torch::kFloat32);  // [None, Stop, Cancel]
    votes[request] = 1.0F;
    std::vector<torch::Tensor> summed{votes};
    distributed_->allReduceSum(summed);
    if (summed[0][int(TrainingControl::Request::Cancel)].item<float>() > 0)
        return int(TrainingControl::Request::Cancel);
    if (summed[0][int(TrainingControl::Request::Stop)].item<float>() > 0)
        return int(TrainingControl::Request::Stop);
    return int(TrainingControl::Request::None);
}

void TrainingLoop::recordTrainMetrics(int64_t step, std::vector<ModelMetrics>& metrics, double wall) {
    for (size_t i = 0; i < trainers_.size(); ++i) {
        metrics[i].step = step;
        metrics[i].tokens = tokensDone_;
        metrics[i].wallTime = wall;
        const bool logged = step % config_.logEvery == 0 || step == steps_.totalSteps;
        unlogged_[i].clear();  // only the newest step that log_every skipped is kept
        auto& out = logged ? pending_[i] : unlogged_[i];
        out.push_back({step, "train_loss", metrics[i].trainLoss, metrics[i].tokens, wall});
        out.push_back({step, "lr", metrics[i].lr, metrics[i].tokens, wall});
        out.push_back({step, "grad_norm", metrics[i].gradNorm, metrics[i].tokens, wall});
        out.push_back({step, "tokens_per_s", double(tokensDone_ - startTokens_) / std::max(1e-9, elapsed()),
                       metrics[i].tokens, wall});
        for (size_t l = 0; l < metrics[i].lambdas.size(); ++l)
            out.push_back(
                {step, "lambda_" + std::to_string(l), metrics[i].lambdas[l], metrics[i].tokens, wall});
    }
}

void TrainingLoop::storeUnloggedStep() {
    for (size_t i = 0; i < trainers_.size(); ++i) {
        pending_[i].insert(pending_[i].end(), unlogged_[i].begin(), unlogged_[i].end());
        unlogged_[i].clear();
    }
}

void TrainingLoop::evaluateAll(int64_t step, std::vector<ModelMetrics>& metrics) {
    for (size_t i = 0; i < trainers_.size(); ++i) {
        const double valLoss = trainers_[i]->evaluate(data_.validation);
        metrics[i].hasValidation = true;
        metrics[i].valLoss = valLoss;
        metrics[i].valPerplexity = std::exp(valLoss);
        const double wall = steps_.priorSeconds + elapsed();
        metrics[i].valWallTime = wall;
        pending_[i].push_back({step, "val_loss", valLoss, metrics[i].tokens, wall});
        pending_[i].push_back({step, "val_ppl", std::exp(valLoss), metrics[i].tokens, wall});
    }
}

bool TrainingLoop::probeDue(int64_t step) const {
    return config_.probeEvery > 0 && (step % config_.probeEvery == 0 || step == steps_.totalSteps);
}

void TrainingLoop::reportProgress(int64_t step) {
    TrainingProgress progress;
    progress.step = step;
    progress.totalSteps = steps_.totalSteps;
    progress.tokensSeen = tokensDone_;
    progress.elapsedSeconds = steps_.priorSeconds + elapsed();
    progress.tokensPerSecond =
        double(tokensDone_ - startTokens_) * double(trainers_.size()) / std::max(1e-9, elapsed());
    progress.etaSeconds = elapsed() / double(step - steps_.startStep) * double(steps_.totalSteps - step);
    channels_.sink.onProgress(progress);
}

void TrainingLoop::saveAll(int64_t step) {
    if (!store_) return;  // checkpoints are rank 0's: the model and optimizer are the same on every rank
    flush();
    uint64_t roundBytes = 0;
    std::optional<uint64_t> freeAfter;
    for (auto& t : trainers_) {
        const std::string path = checkpointPath_(t->kind(), step);
        const CheckpointWrite written =
            t->save(path, step, data_.batcher.position(), steps_.priorSeconds + elapsed());
        roundBytes += written.bytes;
        freeAfter = written.freeBytesAfter;
        store_->addCheckpoint(t->runId(), step, path);
        store_->setLastStep(t->runId(), step);
    }
    if (!warnedLowDisk_ && freeAfter && judgeDiskRoom(*freeAfter, roundBytes) != DiskRoom::Enough) {
        warnedLowDisk_ = true;
        channels_.sink.onLog("warning: only " + megabytes(*freeAfter) +
                             " free beside the checkpoints (each " + "checkpoint round takes " +
                             megabytes(roundBytes) + "); free some space, or " +
                             "training will stop (resumable) when the disk is full");
    }
    store_->checkpointWal();  // a damaged -wal file then costs at most the steps since this checkpoint
}

void TrainingLoop::flush() {
    if (!store_) {  // ranks other than 0 keep no metrics
        for (auto& points : pending_) points.clear();
        return;
    }
    for (size_t i = 0; i < trainers_.size(); ++i) {
        if (!pending_[i].empty()) store_->appendMetrics(trainers_[i]->runId(), pending_[i]);
        pending_[i].clear();
    }
}

}  // namespace needlescope
