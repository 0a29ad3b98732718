#include "core/util/Runtime.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <malloc.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/util/Error.h"

namespace needlescope {

int configureThreads(int requested) {
    if (requested < 0)
        throw Error("thread count must be 0 (all cores) or positive, got " + std::to_string(requested));
    int n = requested;
    if (n == 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(n);
    return at::get_num_threads();
}

torch::Device resolveDevice(const std::string& name) {
    if (name.empty() || name == "cpu") return torch::Device(torch::kCPU);
    if (name == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    if (name.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw Error("device '" + name +
                        "' requested, but this LibTorch build has no CUDA support or no GPU is visible; "
                        "use --device cpu");
        try {
            torch::Device device(name);
            if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count()))
                throw Error("device '" + name + "' does not exist: " +
                            std::to_string(torch::cuda::device_count()) + " CUDA device(s) visible");
            return device;
        } catch (const c10::Error&) {
            throw Error("cannot parse device '" + name + "'; expected cpu, cuda, cuda:N or auto");
        }
    }
    throw Error("unknown device '" + name + "'; expected cpu, cuda, cuda:N or auto");
}

namespace {
std::atomic<int> inferenceDeviceIndex{-2};  // −2: the CPU; −1: cuda (current device); n ≥ 0: cuda:n
}  // namespace

void setInferenceDevice(const torch::Device& device) {
    inferenceDeviceIndex = device.is_cuda() ? (device.has_index() ? device.index() : -1) : -2;
}

torch::Device inferenceDevice() {
    const int index = inferenceDeviceIndex;
    if (index == -2) return torch::kCPU;
    return index < 0 ? torch::Device(torch::kCUDA) : torch::Device(torch::kCUDA, static_cast<int8_t>(index));
}

void keepFreedMemory(std::size_t largestBufferBytes) {
    // Buffers up to this size come from the heap (not mmap) and the heap is not trimmed below it.
    // glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit, so bigger buffers (logits) need mmap off.
    const std::size_t cap = std::size_t(1) << 30;
    const int keep =
        static_cast<int>(std::min(std::max(largestBufferBytes * 4, std::size_t(256) << 20), cap));
    if (largestBufferBytes > (std::size_t(32) << 20))
        mallopt(M_MMAP_MAX, 0);
    else
        mallopt(M_MMAP_THRESHOLD, static_cast<int>(std::max(largestBufferBytes, std::size_t(1) << 20)) + 1);
    mallopt(M_TRIM_THRESHOLD, keep);
    // One heap for every thread: the attention's worker threads would otherwise each fill an arena of
    // their own with kept buffers (bench small: +100 MiB peak RSS with two threads, and slower).
    mallopt(M_ARENA_MAX, 1);
}

std::string torchVersion() { return TORCH_VERSION; }

std::string blasInfo() {
    const std::string config = at::show_config();
    const auto pos = config.find("BLAS_INFO=");
    if (pos == std::string::npos) return "unknown";
    const auto end = config.find_first_of(",\n", pos);
    return config.substr(pos + 10, end - pos - 10);
}

}  // namespace needlescope
