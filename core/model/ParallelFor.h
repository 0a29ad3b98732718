#pragma once
// A parallel loop over [begin, end) for our own kernels (the sliced attention's chunks, the probe's batched
// GEMMs). Why not at::parallel_for: it is an inline template that runs in parallel only where the including
// file is compiled with OpenMP, and its workers do not get the caller's thread-local state — inside an
// autograd Function's forward the caller has grad mode off while a fresh worker has it on, and an out= op
// there then refuses inputs that require grad. Here the team size is LibTorch's thread count (also when
// LibTorch carries its own copy of the OpenMP runtime, as pip wheels do), every worker runs with the
// caller's state, and the first exception is rethrown on the caller.
#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>

#include <algorithm>
#include <atomic>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace needlescope {

// fn(first, last) on contiguous sub-ranges, one per thread, each at least `grain` long (the last may be
// shorter); on one thread when there is one grain of work, one thread, or we are already in a parallel
// region.
template <typename Fn>
void parallelForWithCallerState(int64_t begin, int64_t end, int64_t grain, const Fn& fn) {
    if (begin >= end) return;
#ifdef _OPENMP
    const int64_t pieces = (end - begin + std::max<int64_t>(grain, 1) - 1) / std::max<int64_t>(grain, 1);
    const int threads = at::get_num_threads();
    // Both checks: LibTorch's runtime and ours may be two copies that do not see each other's regions.
    if (pieces > 1 && threads > 1 && !at::in_parallel_region() && !omp_in_parallel()) {
        const at::ThreadLocalState callerState;
        std::exception_ptr error;
        std::atomic_flag failed = ATOMIC_FLAG_INIT;
#pragma omp parallel num_threads(threads)
        {
            const int64_t team = std::min<int64_t>(omp_get_num_threads(), pieces);
            const int64_t share = (end - begin + team - 1) / team;
            const int64_t first = begin + omp_get_thread_num() * share;
            if (omp_get_thread_num() < team && first < end) {
                try {
                    at::ThreadLocalStateGuard sameState(callerState);
                    fn(first, std::min(end, first + share));
                } catch (...) {
                    if (!failed.test_and_set()) error = std::current_exception();
                }
            }
        }
        if (error) std::rethrow_exception(error);
        return;
    }
#else
    (void)grain;
#endif
    fn(begin, end);
}

}  // namespace needlescope
