#pragma once
// Data-parallel ranks on LibTorch's c10d (issue 11): where this process sits in a job (torchrun's variables
// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) and the collectives training needs, over Gloo on
// CPU or NCCL on CUDA (when the linked LibTorch has it). The c10d headers stay in the .cpp.
#include <torch/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/util/Error.h"

namespace needlescope {

// A collective failed: another rank stopped, crashed or cannot be reached. Training marks its runs
// interrupted (resumable from the last checkpoint), not failed.
class PeerLost : public Error {
  public:
    using Error::Error;
};

// This process's place in a job, as torchrun describes it.
struct RankEnv {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    std::string masterAddr;
    int masterPort = 0;
    bool agentStore = false;  // the launcher (torchrun's agent or `train --nproc`) hosts the TCPStore
};

// Looks an environment variable up (nullptr when unset).
using EnvLookup = std::function<const char*(const char*)>;
// nullopt when neither RANK nor WORLD_SIZE is set; throws Error naming the variable when the set is
// incomplete or malformed (e.g. MASTER_ADDR missing).
std::optional<RankEnv> rankEnvFrom(const EnvLookup& lookup);
std::optional<RankEnv> rankEnvFromEnvironment();

// Whether this build has a c10d backend (Gloo headers were found at build time).
bool distributedAvailable();

class DistributedContext {
  public:
    // Connects to the TCPStore at MASTER_ADDR:MASTER_PORT (rank 0 hosts it unless agentStore) and builds the
    // process group: NCCL for a CUDA device when this LibTorch has it, Gloo otherwise. Throws Error.
    static std::unique_ptr<DistributedContext> join(const RankEnv& env, const torch::Device& device,
                                                    std::chrono::milliseconds timeout = defaultTimeout());
    // How long a collective waits for the other ranks: NEEDLESCOPE_DIST_TIMEOUT_S seconds, else 30 min
    // (rank 0 may prepare a tokenizer or probe while the others wait). A rank that dies is noticed at once.
    static std::chrono::milliseconds defaultTimeout();

    ~DistributedContext();
    DistributedContext(const DistributedContext&) = delete;
    DistributedContext& operator=(const DistributedContext&) = delete;

    int rank() const;
    int worldSize() const;
    bool isLeader() const { return rank() == 0; }
    const std::string& backend() const;  // "gloo" or "nccl"

    // In place, element-wise sum over ranks. Throw PeerLost when another rank is gone.
    void allReduceSum(std::vector<torch::Tensor>& tensors);
    // Starts the sum; the returned function waits for it (throws PeerLost).
    std::function<void()> allReduceSumAsync(std::vector<torch::Tensor>& tensors);
    void broadcast(std::vector<torch::Tensor>& tensors, int root = 0);
    std::string broadcastBytes(const std::string& bytes, int root = 0);  // root's bytes, on every rank
    void barrier();

  private:
    struct Impl;
    explicit DistributedContext(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The TCPStore that `train --nproc` hosts on 127.0.0.1 at a free port for its local ranks (like torchrun's
// agent store); alive as long as this object.
class LocalRendezvous {
  public:
    LocalRendezvous();  // throws Error
    ~LocalRendezvous();
    int port() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace needlescope
