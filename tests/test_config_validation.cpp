// Config parsing is strict (unknown keys with a suggestion, whole-number sizes, messages naming the key and
// the file) and the memory estimate matches the real model and refuses configs that cannot fit.
#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/model/Decoder.h"
#include "core/train/Experiment.h"
#include "core/train/MemoryEstimate.h"
#include "core/train/TrainConfig.h"
#include "core/util/Autocast.h"
#include "core/util/Error.h"
#include "core/util/JsonFields.h"

using namespace needlescope;
namespace fs = std::filesystem;

namespace {

// The message of the Error `body` throws, or "" when it throws none.
template <typename F>
QString errorOf(F body) {
    try {
        body();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

TrainConfig parsed(const nlohmann::json& j) { return j.get<TrainConfig>(); }

nlohmann::json tinyJson() { return nlohmann::json(loadPreset("tiny")); }

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

class TestConfigValidation : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

  private Q_SLOTS:
    void editDistanceAndSuggestions() {
        QCOMPARE(editDistance("dmodel", "d_model"), size_t(1));
        QCOMPARE(editDistance("optimiser", "optimizer"), size_t(1));
        QCOMPARE(editDistance("haeds", "heads"), size_t(1));  // a transposition is one edit
        QCOMPARE(editDistance("", "abc"), size_t(3));
        const std::vector<std::string> known = {"d_model", "layers", "heads", "max_context"};
        QCOMPARE(nearestKey("dmodel", known), std::string("d_model"));
        QCOMPARE(nearestKey("layer", known), std::string("layers"));
        QCOMPARE(nearestKey("temperature", known), std::string());  // nothing close: no suggestion
    }

    void unknownKeysNameTheNearestKnownKey() {
        nlohmann::json j = tinyJson();
        j["model"]["dmodel"] = 64;
        QString error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("'model.dmodel'") && error.contains("did you mean 'model.d_model'"),
                 qPrintable(error));

        j = tinyJson();
        j["optimiser"] = {{"lr", 1e-3}};
        error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("'optimiser'") && error.contains("did you mean 'optimizer'"),
                 qPrintable(error));

        j = tinyJson();
        j["optimizer"]["learning_rate"] = 1e-3;
        error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("optimizer.learning_rate") && error.contains("lr"),
                 qPrintable(error));  // lists keys

        nlohmann::json model = nlohmann::json(ModelConfig{});
        model["head"] = 4;
        error = errorOf([&] { model.get<ModelConfig>(); });
        QVERIFY2(error.contains("'head'") && error.contains("'heads'"), qPrintable(error));
    }

    void sizesMustBeWholeNumbers() {
        nlohmann::json j = tinyJson();
        j["model"]["d_model"] = 32.5;
        QString error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("model.d_model") && error.contains("32.5"), qPrintable(error));

        j = tinyJson();
        j["model"]["d_model"] = 32.0;  // integral, only written as a float
        QCOMPARE(parsed(j).model.dModel, int64_t(32));

        j = tinyJson();
        j["steps"] = 1.5;
        error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("steps") && error.contains("1.5"), qPrintable(error));

        j = tinyJson();
        j["needle_sets"] = {{2, 1.5}};
        QVERIFY(!errorOf([&] { parsed(j); }).isEmpty());

        j = tinyJson();
        j["model"]["seed"] = -1;
        error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("model.seed"), qPrintable(error));

        j = tinyJson();
        j["threads"] = 1e12;  // does not fit an int
        error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("threads"), qPrintable(error));

        j = tinyJson();
        j["precision"] = "fp16";
        error = errorOf([&] { parsed(j).validate(); });
        QVERIFY2(error.contains("precision") && error.contains("fp16"), qPrintable(error));
    }

    void scheduleIsCheckedAndDefaultsToCosine() {
        nlohmann::json j = tinyJson();
        j["optimizer"].erase("schedule");  // configs stored before schedules existed
        j["optimizer"].erase("decay_fraction");
        QCOMPARE(parsed(j).optimizer.schedule, std::string("cosine"));
        QCOMPARE(parsed(j).optimizer.decayFraction, 0.2);
        j["optimizer"]["schedule"] = "linear";
        QString error = errorOf([&] { parsed(j).validate(); });
        QVERIFY2(error.contains("schedule") && error.contains("linear"), qPrintable(error));
        j["optimizer"]["schedule"] = "wsd";
        j["optimizer"]["decay_fraction"] = 0.0;
        error = errorOf([&] { parsed(j).validate(); });
        QVERIFY2(error.contains("decay_fraction"), qPrintable(error));
        j["optimizer"]["decay_fraction"] = 0.3;
        QCOMPARE(parsed(j).optimizer.decayFraction, 0.3);
    }

    void precisionNeedsCudaForBf16() {
        QVERIFY(precisionFromString("bf16") == Precision::Bf16);
        QCOMPARE(toString(precisionFromString("fp32")), std::string("fp32"));
        QVERIFY(!errorOf([] { precisionFromString("half"); }).isEmpty());
        QVERIFY(QString::fromStdString(precisionProblem(Precision::Bf16, torch::kCPU)).contains("CUDA"));
        QVERIFY(precisionProblem(Precision::Fp32, torch::kCPU).empty());
        QVERIFY(precisionProblem(Precision::Bf16, torch::Device(torch::kCUDA)).empty());
        {
            AutocastScope scope(Precision::Bf16, torch::kCPU);  // a no-op off CUDA: CPU math stays fp32
            const auto product = torch::mm(torch::ones({2, 2}), torch::ones({2, 2}));  // [2, 2]
            QVERIFY(product.scalar_type() == torch::kFloat32);
        }
        nlohmann::json j = tinyJson();
        j["precision"] = "bf16";
        QCOMPARE(parsed(j).precision, std::string("bf16"));
    }

    void typeErrorsNameTheKey() {
        nlohmann::json j = tinyJson();
        j["batch_size"] = "eight";
        QString error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("batch_size") && error.contains("eight"), qPrintable(error));

        j = tinyJson();
        j["optimizer"]["lr"] = "fast";
        error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("optimizer.lr"), qPrintable(error));

        j = tinyJson();
        j["models"] = "standard";
        error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("models"), qPrintable(error));

        j = tinyJson();
        j["model"] = 5;
        error = errorOf([&] { parsed(j); });
        QVERIFY2(error.contains("model"), qPrintable(error));
    }

    void fileErrorsNameTheFile() {
        QVERIFY(dir_.isValid());
        nlohmann::json j = tinyJson();
        j["model"]["d_model"] = 32.5;
        const std::string path = dir_.filePath("fractional.json").toStdString();
        std::ofstream(path) << j.dump(2);
        const QString error = errorOf([&] { loadPreset(path); });
        QVERIFY2(error.contains(QString::fromStdString(path)) && error.contains("model.d_model"),
                 qPrintable(error));
    }

    void everythingToJsonWritesParsesBack() {
        // The run store keeps configs as JSON and resume reads them back: every key written must be known.
        for (const std::string& name : presetNames()) {
            const TrainConfig preset = loadPreset(name);
            const nlohmann::json written = preset;
            QCOMPARE(nlohmann::json(written.get<TrainConfig>()).dump(), written.dump());
        }
        ModelConfig m;
        m.kind = ModelKind::Diff;
        m.seed = 18446744073709551615ULL;  // the largest seed survives the round trip
        const nlohmann::json written = m;
        QCOMPARE(nlohmann::json(written.get<ModelConfig>()).dump(), written.dump());
        // A stored run config as Experiment writes it: {"train": …, "model": …} with the kind in "model".
        nlohmann::json stored = {{"train", loadPreset("quick")}, {"model", m}};
        QCOMPARE(stored.at("train").get<TrainConfig>().name, std::string("quick"));
        QVERIFY(stored.at("model").get<ModelConfig>().kind == ModelKind::Diff);
    }

    void parameterCountMatchesTheModel_data() {
        QTest::addColumn<int>("dModel");
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("vocab");
        QTest::newRow("tiny") << 32 << 4 << 2 << 512;
        QTest::newRow("odd ffn") << 48 << 4 << 3 << 300;
        QTest::newRow("quick") << 128 << 8 << 4 << 4096;
    }
    void parameterCountMatchesTheModel() {
        QFETCH(int, dModel);
        QFETCH(int, heads);
        QFETCH(int, layers);
        QFETCH(int, vocab);
        for (ModelKind kind : {ModelKind::Standard, ModelKind::Diff}) {
            ModelConfig c;
            c.kind = kind;
            c.dModel = dModel;
            c.nHeads = heads;
            c.nLayers = layers;
            c.vocabSize = vocab;
            c.maxContext = 64;
            Decoder model(c);
            int64_t real = 0;
            for (const auto& p : model->parameters()) real += p.numel();
            QCOMPARE(int64_t(modelParameterCount(c)), real);
        }
    }

    void theAttentionMapsAreNotCountedWhole() {
        ModelConfig c;
        c.dModel = 128;
        c.nHeads = 8;
        // The [B, H, T, T] maps of every layer — what the whole-map path would keep — at 1024 tokens,
        // against the estimate: the CPU training path never holds them (sliced attention), so the estimate
        // stays below them, while it still grows with the context (per-token activations).
        const double wholeMaps = 4.0 * c.nLayers * 8 * c.nHeads * 1024.0 * 1024.0;
        QVERIFY(activationBytes(c, 8, 1024, 2) < wholeMaps);
        QVERIFY(activationBytes(c, 8, 1024, 2) > 2 * activationBytes(c, 8, 256, 2));
        QVERIFY(activationBytes(c, 16, 256, 2) > activationBytes(c, 8, 256, 2));  // grows with the batch
        // Each thread works on its own chunk of maps: more threads, more maps in flight (never fewer).
        QVERIFY(activationBytes(c, 8, 1024, 8) > activationBytes(c, 8, 1024, 1));
        ModelConfig v2 = c;
        v2.kind = ModelKind::Diff2;
        QVERIFY(activationBytes(v2, 8, 1024, 8) >= activationBytes(c, 8, 1024, 8));  // twice the sub-maps
        // A paired config: both models' parameters live at once, the larger step's activations.
        TrainConfig paired = loadPreset("quick");
        paired.threads = 3;
        const MemoryEstimate e = estimateTrainingMemory(paired);
        ModelConfig standard = paired.model, d = paired.model;
        standard.vocabSize = d.vocabSize = paired.tokenizerVocab;
        d.kind = ModelKind::Diff;
        QCOMPARE(e.parameters, modelParameterCount(standard) + modelParameterCount(d));
        QCOMPARE(e.parameterBytes, 16 * e.parameters);
        QCOMPARE(e.activationBytes,
                 std::max(activationBytes(standard, paired.batchSize, paired.model.maxContext, 3),
                          activationBytes(d, paired.batchSize, paired.model.maxContext, 3)));
    }

    void hugeConfigsDoNotFit() {
        TrainConfig quick = loadPreset("quick");
        QVERIFY(!memoryFitError(quick, 4 * kGiB).has_value());
        QVERIFY(memoryFitError(quick, 0.01 * kGiB).has_value());
        TrainConfig huge = quick;
        huge.model.dModel = 100000000;
        QVERIFY(!huge.validationError().has_value());  // a valid shape, just far too big
        const auto error = memoryFitError(huge, 64 * kGiB);
        QVERIFY(error.has_value());
        const QString text = QString::fromStdString(*error);
        QVERIFY2(text.contains("needs about") && text.contains("params") && text.contains("activations") &&
                     text.contains("64.0 GiB available"),
                 qPrintable(text));
        QVERIFY(availableMemoryBytes().value_or(1) > 0);
    }

    void hugeConfigIsRefusedBeforeAnythingIsCreated() {
        TrainConfig huge = loadPreset("tiny");
        huge.model.dModel = 100000000;
        const fs::path root = dir_.filePath("huge").toStdString();
        ExperimentPaths paths;
        paths.dataDir = (root / "no-data").string();  // never read: the estimate comes first
        paths.dbPath = (root / "runs.db").string();
        paths.checkpointDir = (root / "checkpoints").string();
        paths.cacheDir = (root / "cache").string();
        Experiment experiment(huge, paths);
        const QString error = errorOf([&] { experiment.run(); });
        QVERIFY2(error.contains("needs about") && error.contains("GiB available"), qPrintable(error));
        QVERIFY(!fs::exists(paths.dbPath));
        QVERIFY(!fs::exists(paths.checkpointDir));
        QVERIFY(experiment.runIds().empty());
    }
};

QTEST_GUILESS_MAIN(TestConfigValidation)
#include "test_config_validation.moc"
