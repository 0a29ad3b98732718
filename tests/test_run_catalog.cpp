// RunCatalog (core/probe/RunCatalog.h): typed summaries of a store holding real run-config JSON (written by
// the trainer's own serializers), the headline answer / noise computed as the probe report computes it —
// checked on rows where a plain row average (SQL AVG) differs — and deletion with the run's files.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "core/probe/RunCatalog.h"
#include "core/store/RunStore.h"
#include "core/train/TrainConfig.h"
#include "core/util/Error.h"

using namespace needlescope;
namespace fs = std::filesystem;

namespace {

// The run config as the trainer records it: {"train", "model", "data", "tokenizer_model"}.
std::string runConfigJson(const TrainConfig& train, const ModelConfig& model, const std::string& tokenizer) {
    return nlohmann::json{
        {"train", train},
        {"model", model},
        {"data", {{"root", "/data/wikitext-2"}, {"layout", "wikitext tokens"}, {"cache_key", "abc"}}},
        {"tokenizer_model", tokenizer}}
        .dump();
}

void touch(const fs::path& path) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "x";
}

}  // namespace

class TestRunCatalog : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string path(const QString& name) const { return QDir(dir_.path()).filePath(name).toStdString(); }

  private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void summaryFieldsFromTheRunConfig() {
        RunStore store = RunStore::open(path("summary.db"));
        TrainConfig train = loadPreset("tiny");
        train.optimizer.lr = 1.25e-3;
        train.steps = 321;
        train.curriculumFraction = 0.25;
        ModelConfig model = train.model;
        model.kind = ModelKind::Diff;
        model.dModel = 96;
        model.nLayers = 3;
        model.nHeads = 6;
        model.maxContext = 200;
        model.seed = 42;
        const std::string json = runConfigJson(train, model, "/ck/g/tokenizer.model");
        const int64_t id = store.createRun({"g", "g-diff", "diff", json});
        store.setStatus(id, RunStatus::Interrupted);
        store.setLastStep(id, 25);
        store.appendMetrics(id, {{10, "val_loss", 2.5}, {20, "val_loss", 2.1}, {30, "val_loss", 2.3}});
        const int64_t bare = store.createRun({"h", "h-standard", "standard", ""});

        RunCatalog catalog(store);
        const RunSummary s = catalog.run(id);
        QCOMPARE(s.id, id);
        QCOMPARE(s.group, std::string("g"));
        QCOMPARE(s.kind, std::string("diff"));
        QVERIFY(s.status == RunStatus::Interrupted);
        QCOMPARE(s.steps, int64_t(30));  // the last metric comes after the recorded step
        QVERIFY(s.config.has_value());
        QVERIFY(s.config->model.kind == ModelKind::Diff);
        QCOMPARE(s.config->model.dModel, int64_t(96));
        QCOMPARE(s.config->model.nLayers, int64_t(3));
        QCOMPARE(s.config->model.nHeads, int64_t(6));
        QCOMPARE(s.config->model.maxContext, int64_t(200));
        QCOMPARE(s.config->model.seed, uint64_t(42));
        QCOMPARE(s.config->train.optimizer.lr, 1.25e-3);
        QCOMPARE(s.config->train.steps, int64_t(321));
        QCOMPARE(s.config->train.curriculumFraction, 0.25);
        QCOMPARE(s.config->dataRoot, std::string("/data/wikitext-2"));
        QCOMPARE(s.config->dataLayout, std::string("wikitext tokens"));
        QCOMPARE(s.config->tokenizerModel, std::string("/ck/g/tokenizer.model"));
        QCOMPARE(s.bestValLoss, 2.1);
        QCOMPARE(s.bestValStep, int64_t(20));
        QVERIFY(!s.headline);

        const RunSummary b = catalog.run(bare);
        QVERIFY(!b.config);
        QVERIFY(std::isnan(b.bestValLoss));
        const auto all = catalog.runs();
        QCOMPARE(all.size(), size_t(2));
        QCOMPARE(all.front().id, bare);  // newest first, as the store lists them
        QVERIFY_THROWS_EXCEPTION(Error, catalog.run(9999));
        QVERIFY_THROWS_EXCEPTION(Error, parseRunConfig("{not json"));
        QVERIFY_THROWS_EXCEPTION(Error, parseRunConfig(R"({"model": {"kind": "bogus"}})"));
    }

    void headlineIsTheReportsMeanNotTheRowAverage() {
        // Layer 0 has two heads, layer 1 one (unequal head counts); one signed row is flagged (NaN).
        // Per sample: mean over heads, then layers; per depth: mean over samples; then over depths.
        RunStore store = RunStore::open(path("headline.db"));
        const int64_t id = store.createRun({"g", "r", "diff", ""});
        std::vector<ProbeRow> rows;
        auto add = [&](int64_t step, double depth, int64_t sample, int64_t layer, int64_t head, double answer,
                       double noise) {
            ProbeRow r;
            r.runId = id;
            r.step = step;
            r.depth = depth;
            r.contextLength = 64;
            r.sample = sample;
            r.layer = layer;
            r.head = head;
            r.signedNorm = {0.1, answer, noise, 0.0};
            r.absolute = r.raw = {0.1, std::fabs(answer), std::fabs(noise), 0.0};
            r.signedTotal = std::isnan(answer) ? -0.2 : 1.0;
            rows.push_back(r);
        };
        const double nan = std::numeric_limits<double>::quiet_NaN();
        add(10, 0, 0, 0, 0, 0.9, 0.1);  // an older step: not the headline
        for (double depth : {0.0, 100.0})
            for (int64_t sample : {0, 1}) {
                const double d = depth / 1000.0, s = double(sample) / 100.0;
                add(50, depth, sample, 0, 0, 0.10 + d + s, 0.60);
                add(50, depth, sample, 0, 1, (sample == 1 && depth == 0) ? nan : 0.30 + d, 0.50 - s);
                add(50, depth, sample, 1, 0, 0.70 - d, 0.20 + s);
            }
        store.addProbeRows(rows);

        // By hand: per sample, layer means (NaN skipped), then their mean; per depth the mean over samples.
        std::map<double, std::vector<std::pair<double, double>>>
            perDepth;  // depth → (answer, noise) per sample
        for (double depth : {0.0, 100.0})
            for (int64_t sample : {0, 1}) {
                std::map<int64_t, std::vector<double>> answers, noises;
                for (const ProbeRow& r : rows)
                    if (r.step == 50 && r.depth == depth && r.sample == sample) {
                        if (!std::isnan(r.signedNorm.answer)) answers[r.layer].push_back(r.signedNorm.answer);
                        noises[r.layer].push_back(r.signedNorm.noise);
                    }
                auto meanOfMeans = [](const std::map<int64_t, std::vector<double>>& byLayer) {
                    double total = 0;
                    for (const auto& [layer, values] : byLayer) {
                        double sum = 0;
                        for (double v : values) sum += v;
                        total += sum / double(values.size());
                    }
                    return total / double(byLayer.size());
                };
                perDepth[depth].push_back({meanOfMeans(answers), meanOfMeans(noises)});
            }
        double answer = 0, noise = 0;
        for (const auto& [depth, samples] : perDepth) {
            answer += (samples[0].first + samples[1].first) / 2 / double(perDepth.size());
            noise += (samples[0].second + samples[1].second) / 2 / double(perDepth.size());
        }

        RunCatalog catalog(store);
        const RunSummary s = catalog.run(id);
        QVERIFY(s.headline);
        QCOMPARE(s.headline->step, int64_t(50));
        QVERIFY2(std::fabs(s.headline->answer - answer) < 1e-12,
                 qPrintable(QString::number(s.headline->answer)));
        QVERIFY(std::fabs(s.headline->noise - noise) < 1e-12);

        // A row-weighted SQL AVG over the same step gives other numbers here.
        double avgAnswer = 0, avgNoise = 0, weight = 0;
        for (const ProbeAggregate& a : store.probeAggregates(id))
            if (a.step == 50) {
                avgAnswer += a.signedNorm.answer * double(a.rows);
                avgNoise += a.signedNorm.noise * double(a.rows);
                weight += double(a.rows);
            }
        QVERIFY(std::fabs(avgAnswer / weight - answer) > 1e-3);
        QVERIFY(std::fabs(avgNoise / weight - noise) > 1e-3);
    }

    void deleteRemovesFilesAndFolders() {
        RunStore store = RunStore::open(path("delete.db"));
        const fs::path root = path("checkpoints");
        const int64_t standard = store.createRun({"g1", "g1-standard", "standard", ""});
        const int64_t diff = store.createRun({"g1", "g1-diff", "diff", ""});
        const int64_t other = store.createRun({"g2", "g2-standard", "standard", ""});
        const std::vector<std::pair<int64_t, std::string>> folders = {
            {standard, "g1/standard"}, {diff, "g1/diff"}, {other, "g2/standard"}};
        for (const auto& [id, sub] : folders)
            for (int step : {10, 20}) {
                const fs::path file = root / sub / ("step-" + std::to_string(step) + ".pt");
                touch(file);
                store.addCheckpoint(id, step, file.string());
            }
        touch(root / "g1" / "tokenizer.model");
        touch(root / "g2" / "tokenizer.model");
        for (int64_t id : {standard, diff, other}) store.setStatus(id, RunStatus::Finished);  // not training

        const RunCatalog catalog(store);
        const DeletedRun first = deleteRunWithFiles(store, standard, root.string());
        QCOMPARE(first.filesRemoved, int64_t(2));
        QVERIFY(first.problems.empty());
        QVERIFY(!first.groupFolderRemoved);
        QVERIFY(!fs::exists(root / "g1" / "standard"));        // emptied folder gone
        QVERIFY(fs::exists(root / "g1" / "tokenizer.model"));  // the group still has a run
        QVERIFY(fs::exists(root / "g1" / "diff" / "step-10.pt"));
        QVERIFY_THROWS_EXCEPTION(Error, store.run(standard));

        const DeletedRun last = deleteRunWithFiles(store, diff, root.string());
        QCOMPARE(last.filesRemoved, int64_t(2));
        QVERIFY(last.groupFolderRemoved);
        QVERIFY(!fs::exists(root / "g1"));                             // tokenizer copy and folder gone
        QVERIFY(fs::exists(root));                                     // never the root itself
        QVERIFY(fs::exists(root / "g2" / "standard" / "step-20.pt"));  // another group untouched
        QVERIFY(fs::exists(root / "g2" / "tokenizer.model"));
        QCOMPARE(catalog.runs().size(), size_t(1));
        QVERIFY_THROWS_EXCEPTION(Error, deleteRunWithFiles(store, diff, root.string()));
    }
};

QTEST_GUILESS_MAIN(TestRunCatalog)
#include "test_run_catalog.moc"
