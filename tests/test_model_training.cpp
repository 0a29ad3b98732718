// Training smoke tests: a tiny model of each kind can learn, and gradients reach every DIFF / V2 parameter.
#include <torch/torch.h>

#include <QtTest/QtTest>

#include "core/model/Decoder.h"

using namespace needlescope;

namespace {

// A small model of `kind` after one backward pass of the next-token loss on random tokens.
Decoder afterOneBackward(ModelKind kind, int64_t kvHeads = 0) {
    ModelConfig config;
    config.kind = kind;
    config.vocabSize = 50;
    config.dModel = 32;
    config.nLayers = 2;
    config.nHeads = 4;
    config.kvHeads = kvHeads;
    config.maxContext = 16;
    Decoder model(config);
    auto batch = torch::randint(0, 50, {2, 17}, torch::kInt64);              // [2, 17]
    model->loss(batch.narrow(1, 0, 16), batch.narrow(1, 1, 16)).backward();  // grads on every weight
    return model;
}

}  // namespace

class TestModelTraining : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void overfitsOneBatch_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("standard") << int(ModelKind::Standard);
        QTest::newRow("diff") << int(ModelKind::Diff);
        QTest::newRow("diff2") << int(ModelKind::Diff2);
    }
    void overfitsOneBatch() {
        QFETCH(int, kind);
        ModelConfig config;
        config.kind = ModelKind(kind);
        config.vocabSize = 64;
        config.dModel = 32;
        config.nLayers = 2;
        config.nHeads = 4;
        config.maxContext = 32;
        Decoder model(config);
        torch::manual_seed(3);
        auto batch = torch::randint(0, 64, {4, 33}, torch::kInt64);  // [B, T + 1]
        auto inputs = batch.narrow(1, 0, 32), targets = batch.narrow(1, 1, 32);
        torch::optim::AdamW optimizer(model->parameters(),
                                      torch::optim::AdamWOptions(3e-3).betas({0.9, 0.95}));
        double first = 0, last = 0;
        for (int step = 0; step < 200; ++step) {
            optimizer.zero_grad();
            auto loss = model->loss(inputs, targets);
            loss.backward();
            optimizer.step();
            (step == 0 ? first : last) = loss.item<double>();
        }
        qInfo("loss %.3f -> %.3f", first, last);
        QVERIFY2(last <= 0.5 * first,
                 qPrintable(QString("loss fell only from %1 to %2").arg(first).arg(last)));
    }

    void gradientsReachLambdaAndSubln() {
        Decoder model = afterOneBackward(ModelKind::Diff);
        int checked = 0;
        for (const auto& item : model->named_parameters()) {
            const auto& name = item.key();
            const bool wanted =
                name.find("lambda_") != std::string::npos || name.find("subln") != std::string::npos;
            if (!wanted) continue;
            QVERIFY2(item.value().grad().defined(), name.c_str());
            QVERIFY2(item.value().grad().abs().sum().item<double>() > 0, name.c_str());
            ++checked;
        }
        QCOMPARE(checked, 2 * 5);  // four λ vectors + subln weight, per layer
    }

    void gradientsReachLambdaProj() {
        Decoder model = afterOneBackward(ModelKind::Diff2, /*kvHeads=*/2);
        int checked = 0;
        for (const auto& item : model->named_parameters()) {
            QVERIFY2(item.value().grad().defined(), item.key().c_str());
            if (item.key().find("attn.") == std::string::npos) continue;  // every attention weight learns
            QVERIFY2(item.value().grad().abs().sum().item<double>() > 0, item.key().c_str());
            ++checked;
        }
        QCOMPARE(checked, 2 * 5);  // q, k, v, out, lambda_proj per layer
    }
};

QTEST_APPLESS_MAIN(TestModelTraining)
#include "test_model_training.moc"
