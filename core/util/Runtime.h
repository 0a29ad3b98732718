#pragma once
// Process-wide compute settings: thread count, device choice, allocator tuning.
#include <torch/types.h>

#include <string>

namespace needlescope {

// Sets LibTorch's intra-op thread count; 0 means "all cores". Returns the count in effect.
int configureThreads(int requested);

// Parses "cpu", "cuda", "cuda:N" or "auto" (CUDA when available, else CPU).
// Throws Error with a clear message when CUDA is requested but this LibTorch build or machine lacks it.
torch::Device resolveDevice(const std::string& name);

// The device checkpoints are loaded onto for probing and inspection: the CPU unless set (the CLI's
// --device, the app's NEEDLESCOPE_DEVICE). Process-wide, set once at start-up.
void setInferenceDevice(const torch::Device& device);
torch::Device inferenceDevice();

// Keeps freed tensor buffers in the process instead of returning them to the OS after each step
// (glibc otherwise unmaps big blocks and training pays page faults to get them back), in one heap shared
// by all threads.
void keepFreedMemory(std::size_t largestBufferBytes);

// Human-readable versions of LibTorch and the BLAS in use, for About dialogs and benchmark headers.
std::string torchVersion();
std::string blasInfo();

}  // namespace needlescope
