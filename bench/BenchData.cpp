#include "bench/BenchData.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <thread>

#include "bench/BenchCommon.h"
#include "core/data/Corpus.h"
#include "core/data/ParallelEncode.h"
#include "core/data/TokenCache.h"
#include "core/data/Tokenizer.h"
#include "core/data/TrainingInput.h"
#include "core/util/Error.h"

namespace needlescope::bench {
namespace fs = std::filesystem;

namespace {

constexpr double kEncodeTargetSeconds = 15.0;
constexpr double kCachedLoadTargetSeconds = 0.5;

// A scratch folder removed with everything in it when the benchmark ends.
struct ScratchDir {
    fs::path path = fs::temp_directory_path() / ("needlescope-bench-data-" + std::to_string(::getpid()));
    ScratchDir() { fs::create_directories(path); }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void printRow(const char* what, double seconds, double megabytes, const char* note = "") {
    std::printf("  %-34s %8.3f s %9.2f MB/s  %s\n", what, seconds, megabytes / seconds, note);
}

}  // namespace

int runDataBench(const std::string& dataDir, int vocabSize, int threads) {
    const CorpusInfo corpus = detectCorpus(dataDir);
    requireSplits(corpus, {Split::Train, Split::Valid});
    const int threadsUsed =
        threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::printf("bench data: %s\n  vocabulary %d, %d threads\n", corpus.describe().c_str(), vocabSize,
                threadsUsed);
    ScratchDir scratch;

    Stopwatch readClock;
    const std::string train = readSplit(corpus, Split::Train);
    const double readSeconds = readClock.seconds();
    const double trainMb = static_cast<double>(train.size()) / 1e6;

    const std::string input = (scratch.path / "train-input.txt").string();
    writeTrainingInput(train, input);
    Stopwatch trainClock;
    const Tokenizer tokenizer =
        Tokenizer::train(input, (scratch.path / "bench").string(), vocabSize, threads);
    const double trainSeconds = trainClock.seconds();

    Stopwatch encodeClock;
    const std::vector<int32_t> ids = encodeParallel(tokenizer, train, threads);
    const double encodeSeconds = encodeClock.seconds();

    const TokenizerSettings settings{vocabSize, threads};
    const std::string cacheDir = (scratch.path / "cache").string();
    Stopwatch coldClock;
    const PreparedCorpus cold = prepareCorpus(corpus, settings, cacheDir);
    const double coldSeconds = coldClock.seconds();
    Stopwatch warmClock;
    const PreparedCorpus warm = prepareCorpus(corpus, settings, cacheDir);
    const double warmSeconds = warmClock.seconds();
    if (!warm.fromCache) throw Error("bench data: the second prepareCorpus did not load from the cache");

    double corpusMb = 0;
    for (const auto& entry : corpus.files) corpusMb += static_cast<double>(fs::file_size(entry.second)) / 1e6;
    const size_t allTokens = cold.train.size() + cold.valid.size() + cold.test.size();

    std::printf(
        "  train split: %.2f MB -> %zu tokens (%.2f bytes/token); all splits: %.2f MB -> %zu tokens\n",
        trainMb, ids.size(), static_cast<double>(train.size()) / static_cast<double>(ids.size()), corpusMb,
        allTokens);
    printRow("read + check train split", readSeconds, trainMb);
    printRow("train tokenizer (train split)", trainSeconds, trainMb);
    printRow("encode train split", encodeSeconds, trainMb,
             encodeSeconds < kEncodeTargetSeconds ? "target < 15 s: met" : "target < 15 s: MISSED");
    printRow("prepare, cold (all splits)", coldSeconds, corpusMb);
    printRow("prepare, from cache (all splits)", warmSeconds, corpusMb,
             warmSeconds < kCachedLoadTargetSeconds ? "target < 0.5 s: met" : "target < 0.5 s: MISSED");
    std::printf("  peak RSS %.0f MB\n", peakRssMb());
    return 0;
}

}  // namespace needlescope::bench
