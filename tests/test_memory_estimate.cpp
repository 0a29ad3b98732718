// The training memory estimate (core/train/MemoryEstimate) against real CPU training steps: what one step
// adds to the process's peak resident memory stays within the estimated activations plus the gradients, for
// each model kind, and is not far below it either (the estimate once counted every layer's whole
// [B, H, T, T] maps, which the CPU path never keeps, and overestimated ~3x at long contexts).
#include <torch/torch.h>

#include <QtTest/QtTest>

#include "core/model/Decoder.h"
#include "core/train/MemoryEstimate.h"
#include "core/util/ProcessMemory.h"

using namespace needlescope;

class TestMemoryEstimate : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void oneStepStaysWithinTheEstimate_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("standard") << int(ModelKind::Standard);
        QTest::newRow("diff") << int(ModelKind::Diff);
        QTest::newRow("diff2") << int(ModelKind::Diff2);
    }

    void oneStepStaysWithinTheEstimate() {
        QFETCH(int, kind);
        ModelConfig config;
        config.kind = ModelKind(kind);
        config.vocabSize = 512;
        config.dModel = 64;
        config.nHeads = 8;
        config.nLayers = 2;
        config.maxContext = 512;
        const int64_t B = 4, T = 512;
        Decoder model(config);
        torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
        torch::manual_seed(5);
        const auto batch = torch::randint(0, config.vocabSize, {B, T + 1}, torch::kInt64);  // [B, T + 1]
        const auto step = [&] {
            optimizer.zero_grad();
            model->loss(batch.narrow(1, 0, T), batch.narrow(1, 1, T)).backward();
            optimizer.step();
        };
        step();  // warm-up: AdamW's moments, BLAS buffers and thread pools exist from here on
        if (!resetPeakResident()) QSKIP("this kernel does not let a process reset its peak resident size");
        const double before = residentBytes();
        step();
        const double added = peakResidentBytes() - before;
        const double gradients = 4.0 * modelParameterCount(config);
        const double estimate = activationBytes(config, B, T, at::get_num_threads()) + gradients;
        qInfo("step added %.1f MiB; estimate %.1f MiB", added / 1048576.0, estimate / 1048576.0);
        QVERIFY(added <= estimate);
        QVERIFY(added >= estimate / 3);
    }
};

QTEST_APPLESS_MAIN(TestMemoryEstimate)
#include "test_memory_estimate.moc"
