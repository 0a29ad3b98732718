#include "core/data/ParallelEncode.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/data/TextChunks.h"

namespace needlescope {
namespace {

constexpr size_t kPieceBytes = size_t{256} << 10;  // a unit of work: small enough to balance threads

}  // namespace

std::vector<int32_t> encodeParallel(const Tokenizer& tokenizer, std::string_view text, int threads,
                                    const std::function<void(double)>& progress) {
    const std::vector<std::string_view> pieces = splitForEncoding(text, kPieceBytes);
    std::vector<std::vector<int32_t>> encoded(pieces.size());
    std::atomic<size_t> next{0};
    std::atomic<size_t> done{0};
    std::mutex failureMutex;
    std::exception_ptr failure;

    // Each worker takes the next unclaimed piece until none are left (or one has failed).
    auto work = [&](bool reportProgress) {
        for (size_t i = next++; i < pieces.size(); i = next++) {
            try {
                encoded[i] = tokenizer.encode(pieces[i]);
                const size_t finished = ++done;
                // A throwing progress callback (e.g. a cancel request) stops every worker, like a failure.
                if (reportProgress && progress) progress(static_cast<double>(finished) / pieces.size());
            } catch (...) {
                std::lock_guard<std::mutex> lock(failureMutex);
                if (!failure) failure = std::current_exception();
                next = pieces.size();
                return;
            }
        }
    };

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const size_t wanted = threads > 0 ? static_cast<size_t>(threads) : cores;
    const size_t helpers = std::min(wanted, std::max<size_t>(pieces.size(), 1)) - 1;
    std::vector<std::thread> workers;
    workers.reserve(helpers);
    for (size_t t = 0; t < helpers; ++t) {
        try {
            workers.emplace_back(work, false);
        } catch (const std::system_error&) {
            break;  // no more threads available: the ones running (and this one) finish the job
        }
    }
    work(true);
    for (auto& worker : workers) worker.join();
    if (failure) std::rethrow_exception(failure);
    if (progress) progress(1.0);

    size_t total = 0;
    for (const auto& ids : encoded) total += ids.size();
    std::vector<int32_t> ids;
    ids.reserve(total);
    for (const auto& part : encoded) ids.insert(ids.end(), part.begin(), part.end());
    return ids;
}

}  // namespace needlescope
