// Packed training batches: shapes and shift, deterministic shuffled order, resume by seek, and the
// fixed validation batches.
#include <torch/torch.h>

#include <QtTest/QtTest>
#include <numeric>
#include <set>

#include "core/data/Batcher.h"
#include "tests/test_data_support.h"

using namespace needlescope;
using datatest::errorOf;

namespace {

// Tokens equal to their own position, so a batch shows exactly which chunks it holds.
std::shared_ptr<const std::vector<int32_t>> countingTokens(int32_t count) {
    auto tokens = std::make_shared<std::vector<int32_t>>(static_cast<size_t>(count));
    std::iota(tokens->begin(), tokens->end(), 0);
    return tokens;
}

// First token of each row: the chunk start positions of a batch.
std::vector<int64_t> rowStarts(const Batch& batch) {
    const torch::Tensor first = batch.inputs.select(1, 0).contiguous();  // [B]
    return std::vector<int64_t>(first.data_ptr<int64_t>(), first.data_ptr<int64_t>() + first.numel());
}

bool sameBatch(const Batch& a, const Batch& b) {
    return torch::equal(a.inputs, b.inputs) && torch::equal(a.targets, b.targets);
}

}  // namespace

class TestDataBatcher : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void batchesArePackedAndShifted() {
        Batcher batcher(countingTokens(1001), 10, 4, 1);
        QCOMPARE(batcher.chunkCount(), int64_t{100});  // (1001 − 1) / 10
        QCOMPARE(batcher.batchesPerEpoch(), int64_t{25});
        const Batch batch = batcher.next();
        QCOMPARE(batch.inputs.sizes(), torch::IntArrayRef({4, 10}));
        QCOMPARE(batch.targets.sizes(), torch::IntArrayRef({4, 10}));
        QCOMPARE(batch.inputs.scalar_type(), torch::kLong);
        QVERIFY(torch::equal(batch.targets, batch.inputs + 1));  // shifted by one token
        for (const int64_t start : rowStarts(batch)) QCOMPARE(start % 10, int64_t{0});  // chunk-aligned
        const torch::Tensor expectedRow = torch::arange(10, torch::kLong);              // [T]
        QVERIFY(
            torch::equal(batch.inputs - batch.inputs.select(1, 0).unsqueeze(1), expectedRow.expand({4, 10})));
    }

    void epochVisitsEveryChunkOnce() {
        Batcher batcher(countingTokens(1001), 10, 4, 9);
        std::set<int64_t> seen;
        for (int64_t b = 0; b < batcher.batchesPerEpoch(); ++b) {
            for (const int64_t start : rowStarts(batcher.next())) QVERIFY(seen.insert(start).second);
        }
        QCOMPARE(seen.size(), size_t{100});
        QCOMPARE(batcher.epoch(), int64_t{1});
        QCOMPARE(batcher.position(), int64_t{25});
    }

    void sameSeedGivesSameBatches() {
        Batcher a(countingTokens(5000), 16, 8, 42);
        Batcher b(countingTokens(5000), 16, 8, 42);
        for (int i = 0; i < 100; ++i) QVERIFY(sameBatch(a.next(), b.next()));  // crosses two epoch ends
    }

    void differentSeedGivesDifferentOrder() {
        Batcher a(countingTokens(5000), 16, 8, 42);
        Batcher b(countingTokens(5000), 16, 8, 43);
        int differing = 0;
        for (int i = 0; i < 10; ++i) differing += sameBatch(a.next(), b.next()) ? 0 : 1;
        QCOMPARE(differing, 10);
    }

    void epochsUseDifferentOrders() {
        Batcher batcher(countingTokens(5000), 16, 8, 42);
        const std::vector<int64_t> firstOfEpoch0 = rowStarts(batcher.next());
        batcher.seek(batcher.batchesPerEpoch());
        QVERIFY(rowStarts(batcher.next()) != firstOfEpoch0);
    }

    void seekResumesLikeAnUninterruptedRun() {
        Batcher reference(countingTokens(5000), 16, 8, 7);
        std::vector<Batch> run;
        for (int i = 0; i < 120; ++i) run.push_back(reference.next());
        for (const int64_t k :
             {int64_t{0}, int64_t{1}, int64_t{38}, int64_t{39}, int64_t{40}, int64_t{101}}) {
            Batcher resumed(countingTokens(5000), 16, 8, 7);
            resumed.next();  // state from before the seek must not leak into what follows
            resumed.seek(k);
            QCOMPARE(resumed.position(), k);
            for (int64_t i = k; i < std::min<int64_t>(k + 5, 120); ++i)
                QVERIFY(sameBatch(resumed.next(), run[i]));
        }
    }

    void orderIsPinned() {
        // The permutation is part of saved training state: a change here breaks resuming old runs.
        Batcher batcher(countingTokens(1001), 10, 4, 1234);
        const std::vector<int64_t> starts = rowStarts(batcher.next());
        qInfo() << "first batch chunk starts:" << QVector<qint64>(starts.begin(), starts.end());
        QCOMPARE(starts, (std::vector<int64_t>{80, 130, 660, 590}));
    }

    void tooFewTokensIsAnError() {
        const QString message = errorOf([] { Batcher(countingTokens(100), 32, 4, 1); });
        DATA_EXPECT_ERROR(message, "too small", "100 tokens", "4 × (32 + 1)");
        DATA_EXPECT_ERROR(errorOf([] { Batcher(countingTokens(100), 0, 4, 1); }), "Context length");
        DATA_EXPECT_ERROR(errorOf([] { Batcher(nullptr, 8, 4, 1); }), "no tokens");
    }

    void validationBatchesAreFixedAndInOrder() {
        const auto tokens = countingTokens(1001);
        const std::vector<Batch> first = validationBatches(*tokens, 10, 4, 0);
        const std::vector<Batch> again = validationBatches(*tokens, 10, 4, 0);
        QCOMPARE(first.size(), size_t{25});
        for (size_t i = 0; i < first.size(); ++i) {
            QVERIFY(sameBatch(first[i], again[i]));
            const std::vector<int64_t> starts = rowStarts(first[i]);
            for (size_t r = 0; r < starts.size(); ++r) QCOMPARE(starts[r], int64_t((i * 4 + r) * 10));
            QVERIFY(torch::equal(first[i].targets, first[i].inputs + 1));
        }
        QCOMPARE(validationBatches(*tokens, 10, 4, 3).size(), size_t{3});
    }

    void smallValidationSplitGivesOneSmallerBatch() {
        const std::vector<Batch> batches = validationBatches(*countingTokens(35), 10, 8, 0);
        QCOMPARE(batches.size(), size_t{1});
        QCOMPARE(batches[0].inputs.sizes(), torch::IntArrayRef({3, 10}));
        DATA_EXPECT_ERROR(errorOf([] { validationBatches(*countingTokens(10), 10, 8, 0); }),
                          "validation split", "too small");
    }
};

QTEST_GUILESS_MAIN(TestDataBatcher)
#include "test_data_batcher.moc"
