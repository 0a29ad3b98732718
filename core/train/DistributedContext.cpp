#include "core/train/DistributedContext.h"

#include <cstdlib>
#include <cstring>
#include <limits>

// ProcessGroupGloo.hpp is guarded by USE_C10D_GLOO and needs Gloo's own headers (Debian: libgloo-dev), which
// LibTorch's CMake config does not announce: the build detects them.
#if __has_include(<gloo/rendezvous/store.h>)
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#define NEEDLESCOPE_HAS_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
// ProcessGroupNCCL only exists in CUDA builds of LibTorch.
#if defined(NEEDLESCOPE_HAS_GLOO) && __has_include(<nccl.h>) && __has_include(<c10/cuda/CUDAStream.h>)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace needlescope {
namespace {

int parseEnvInt(const EnvLookup& lookup, const char* name, int low, int high) {
    const char* text = lookup(name);
    if (!text || !*text)
        throw Error(std::string("the environment sets RANK or WORLD_SIZE (a torchrun-style ") +
                    "launch) but not " + name + "; set RANK, WORLD_SIZE, MASTER_ADDR and " +
                    "MASTER_PORT together, or none of them");
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < low || value > high)
        throw Error(std::string(name) + " must be a whole number from " + std::to_string(low) + " to " +
                    std::to_string(high) + ", got '" + text + "'");
    return int(value);
}

std::string describe(const std::exception& e) {
    if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) return c10->what_without_backtrace();
    return e.what();
}

}  // namespace

std::optional<RankEnv> rankEnvFrom(const EnvLookup& lookup) {
    if (!lookup("RANK") && !lookup("WORLD_SIZE")) return std::nullopt;
    RankEnv env;
    env.worldSize = parseEnvInt(lookup, "WORLD_SIZE", 1, 1 << 20);
    env.rank = parseEnvInt(lookup, "RANK", 0, env.worldSize - 1);
    env.localRank = lookup("LOCAL_RANK") ? parseEnvInt(lookup, "LOCAL_RANK", 0, 1 << 20) : env.rank;
    const char* addr = lookup("MASTER_ADDR");
    if (!addr || !*addr) parseEnvInt(lookup, "MASTER_ADDR", 0, 0);  // throws the "not set" error
    env.masterAddr = addr;
    env.masterPort = parseEnvInt(lookup, "MASTER_PORT", 1, 65535);
    const char* agent = lookup("TORCHELASTIC_USE_AGENT_STORE");
    env.agentStore = agent && std::strcmp(agent, "True") == 0;
    return env;
}

std::optional<RankEnv> rankEnvFromEnvironment() {
    return rankEnvFrom([](const char* name) { return std::getenv(name); });
}

bool distributedAvailable() {
#ifdef NEEDLESCOPE_HAS_GLOO
    return true;
#else
    return false;
#endif
}

std::chrono::milliseconds DistributedContext::defaultTimeout() {
    const char* text = std::getenv("NEEDLESCOPE_DIST_TIMEOUT_S");
    const long seconds = text ? std::strtol(text, nullptr, 10) : 0;
    return std::chrono::seconds(seconds > 0 ? seconds : 30 * 60);
}

#ifdef NEEDLESCOPE_HAS_GLOO

struct DistributedContext::Impl {
    int rank = 0;
    int worldSize = 1;
    std::string backend;
    torch::Device device{torch::kCPU};  // where the collectives' own tensors live
    c10::intrusive_ptr<c10d::Store> store;
    // ProcessGroup in LibTorch 1.13, Backend in 2.x: kept as the concrete classes, called alike.
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#ifdef USE_C10D_NCCL
    c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif

    template <typename F>
    c10::intrusive_ptr<c10d::Work> call(F&& f) {
#ifdef USE_C10D_NCCL
        if (nccl) return f(*nccl);
#endif
        return f(*gloo);
    }

    void wait(const c10::intrusive_ptr<c10d::Work>& work) const {
        try {
            work->wait();
        } catch (const std::exception& e) {
            throw PeerLost("rank " + std::to_string(rank) + " of " + std::to_string(worldSize) +
                           " lost contact with the other ranks (" + describe(e) +
                           "); another rank has probably stopped or crashed");
        }
    }
};

std::unique_ptr<DistributedContext> DistributedContext::join(const RankEnv& env, const torch::Device& device,
                                                             std::chrono::milliseconds timeout) {
    if (env.worldSize < 1 || env.rank < 0 || env.rank >= env.worldSize)
        throw Error("rank " + std::to_string(env.rank) + " is outside a world of " +
                    std::to_string(env.worldSize));
    (void)device;  // only NCCL builds use it
    auto impl = std::make_unique<Impl>();
    impl->rank = env.rank;
    impl->worldSize = env.worldSize;
    try {
        c10d::TCPStoreOptions options;
        options.port = uint16_t(env.masterPort);
        options.isServer = env.rank == 0 && !env.agentStore;
        options.numWorkers = env.worldSize;
        options.waitWorkers = false;  // the process group's own rendezvous waits for the others
        options.timeout = timeout;
        impl->store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, options);
#ifdef USE_C10D_NCCL
        if (device.is_cuda()) {
            auto ncclOptions = c10d::ProcessGroupNCCL::Options::create();
            ncclOptions->timeout = timeout;
            impl->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl->store, env.rank, env.worldSize,
                                                                     ncclOptions);
            impl->backend = "nccl";
            impl->device = device;
        }
#endif
        if (impl->backend.empty()) {
            auto glooOptions = c10d::ProcessGroupGloo::Options::create(timeout);
            // Loopback jobs stay on 127.0.0.1; others use GLOO_SOCKET_IFNAME or the host name's address.
            const bool loopback = env.masterAddr == "localhost" || env.masterAddr.rfind("127.", 0) == 0;
            const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
            glooOptions->devices.push_back(loopback
                                               ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                           : ifname ? c10d::ProcessGroupGloo::createDeviceForInterface(ifname)
                                                    : c10d::ProcessGroupGloo::createDefaultDevice());
            impl->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, env.rank, env.worldSize,
                                                                     glooOptions);
            impl->backend = "gloo";
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize) +
                    " could not join the job at " + env.masterAddr + ":" + std::to_string(env.masterPort) +
                    " (" + describe(e) + ")");
    }
    return std::unique_ptr<DistributedContext>(new DistributedContext(std::move(impl)));
}

DistributedContext::DistributedContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DistributedContext::~DistributedContext() = default;
int DistributedContext::rank() const { return impl_->rank; }
int DistributedContext::worldSize() const { return impl_->worldSize; }
const std::string& DistributedContext::backend() const { return impl_->backend; }

std::function<void()> DistributedContext::allReduceSumAsync(std::vector<torch::Tensor>& tensors) {
    c10::intrusive_ptr<c10d::Work> work;
    try {
        work = impl_->call([&](auto& group) { return group.allreduce(tensors); });
    } catch (const std::exception& e) {
        throw PeerLost("rank " + std::to_string(rank()) + " could not start an all-reduce (" + describe(e) +
                       ")");
    }
    return [impl = impl_.get(), work] { impl->wait(work); };
}

void DistributedContext::allReduceSum(std::vector<torch::Tensor>& tensors) { allReduceSumAsync(tensors)(); }

void DistributedContext::broadcast(std::vector<torch::Tensor>& tensors, int root) {
    c10d::BroadcastOptions options;
    options.rootRank = root;
    c10::intrusive_ptr<c10d::Work> work;
    try {
        work = impl_->call([&](auto& group) { return group.broadcast(tensors, options); });
    } catch (const std::exception& e) {
        throw PeerLost("rank " + std::to_string(rank()) + " could not start a broadcast (" + describe(e) +
                       ")");
    }
    impl_->wait(work);
}

std::string DistributedContext::broadcastBytes(const std::string& bytes, int root) {
    const auto options = torch::TensorOptions().device(impl_->device);
    std::vector<torch::Tensor> size{
        torch::full({1}, int64_t(bytes.size()), options.dtype(torch::kInt64))};  // [1]
    broadcast(size, root);
    const int64_t n = size[0].cpu().item<int64_t>();
    auto buffer = torch::empty({n}, torch::kUInt8);  // [n]
    if (rank() == root && n > 0) std::memcpy(buffer.data_ptr<uint8_t>(), bytes.data(), size_t(n));
    std::vector<torch::Tensor> payload{buffer.to(impl_->device)};  // [n]
    if (n > 0) broadcast(payload, root);
    const auto host = payload[0].cpu().contiguous();  // [n]
    return std::string(reinterpret_cast<const char*>(host.data_ptr<uint8_t>()), size_t(n));
}

void DistributedContext::barrier() {
    std::vector<torch::Tensor> token{torch::zeros({1}, torch::TensorOptions().device(impl_->device))};  // [1]
    allReduceSum(token);  // an all-reduce is a barrier every backend implements alike
}

struct LocalRendezvous::Impl {
    c10::intrusive_ptr<c10d::TCPStore> store;
};

LocalRendezvous::LocalRendezvous() : impl_(std::make_unique<Impl>()) {
    try {
        c10d::TCPStoreOptions options;
        options.port = 0;  // a free port, chosen by the system
        options.isServer = true;
        options.waitWorkers = false;
        impl_->store = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", options);
    } catch (const std::exception& e) {
        throw Error("cannot open a rendezvous port on 127.0.0.1 for the local ranks (" + describe(e) + ")");
    }
}

LocalRendezvous::~LocalRendezvous() = default;
int LocalRendezvous::port() const { return impl_->store->getPort(); }

#else  // no Gloo headers at build time

namespace {
[[noreturn]] void unavailable() {
    throw Error(
        "this build of Needlescope has no distributed backend: install Gloo's headers (Debian: "
        "libgloo-dev) and rebuild");
}
}  // namespace

struct DistributedContext::Impl {};
struct LocalRendezvous::Impl {};
std::unique_ptr<DistributedContext> DistributedContext::join(const RankEnv&, const torch::Device&,
                                                             std::chrono::milliseconds) {
    unavailable();
}
DistributedContext::DistributedContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DistributedContext::~DistributedContext() = default;
int DistributedContext::rank() const { return 0; }
int DistributedContext::worldSize() const { return 1; }
const std::string& DistributedContext::backend() const {
    static const std::string none = "none";
    return none;
}
std::function<void()> DistributedContext::allReduceSumAsync(std::vector<torch::Tensor>&) { unavailable(); }
void DistributedContext::allReduceSum(std::vector<torch::Tensor>&) { unavailable(); }
void DistributedContext::broadcast(std::vector<torch::Tensor>&, int) { unavailable(); }
std::string DistributedContext::broadcastBytes(const std::string&, int) { unavailable(); }
void DistributedContext::barrier() { unavailable(); }
LocalRendezvous::LocalRendezvous() { unavailable(); }
LocalRendezvous::~LocalRendezvous() = default;
int LocalRendezvous::port() const { return 0; }

#endif

}  // namespace needlescope
