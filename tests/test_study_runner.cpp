// The study end to end below the CLI (core/probe/StudyRunner): two seeds of a tiny paired run trained as
// one study, probed on identical prompts, analysed, and written as study.md / .csv / .json. A second
// analysis reuses the stored rows instead of probing again; unknown studies, unfinished runs and a cancel
// are clear errors.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "core/probe/ProbeReport.h"
#include "core/probe/StudyRunner.h"
#include "core/train/SeedStudy.h"
#include "test_probe_support.h"

using namespace needlescope;

namespace {

std::string readAll(const QString& path) {
    std::ifstream in(path.toStdString());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

class TestStudyRunner : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string db_;
    SeedStudyResult trained_;
    StudyProbeSettings settings_;

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!testsupport::makeSmallCorpus(dir_.filePath("corpus"))) QSKIP("shared WikiText data not found");
        TrainConfig config = probetest::tinyConfig(128);
        config.steps = 4;
        config.checkpointEvery = 4;
        config.evalEvery = 4;
        ExperimentPaths paths;
        paths.dataDir = dir_.filePath("corpus").toStdString();
        paths.dbPath = db_ = dir_.filePath("runs.db").toStdString();
        paths.checkpointDir = dir_.filePath("checkpoints").toStdString();
        paths.cacheDir = dir_.filePath("cache").toStdString();
        trained_ = trainSeeds(config, 2, "tiny-two", paths);
        QCOMPARE(trained_.status, RunStatus::Finished);
        QCOMPARE(trained_.runIds.size(), size_t(4));  // 2 seeds × (standard, DIFF)
        settings_.depths = {0, 100};
        settings_.samples = 2;
    }

    void probesAnalysesAndWritesTheReport() {
        RunStore store = RunStore::open(db_);
        QStringList logged;
        std::vector<std::pair<int64_t, int64_t>> placements;
        StudyProgress progress;
        progress.log = [&](const std::string& line) { logged << QString::fromStdString(line); };
        progress.placements = [&](int64_t done, int64_t total) { placements.push_back({done, total}); };
        const StudyAnalysis analysis = probeStudy(store, "tiny-two", settings_, progress);

        QCOMPARE(analysis.seeds.size(), size_t(2));
        QCOMPARE(analysis.kinds, (std::vector<std::string>{"standard", "diff"}));
        QCOMPARE(analysis.depths, settings_.depths);
        QCOMPARE(analysis.samplesPerDepth, int64_t(2));
        QCOMPARE(analysis.perKind.at("diff").size(), size_t(2));  // one entry per depth
        QCOMPARE(analysis.paired.at("diff").size(), size_t(2));
        QCOMPARE(logged.filter("probing run").size(), 4);  // every run probed once
        QVERIFY(!placements.empty());
        QCOMPARE(placements.back().first, placements.back().second);
        // K = 2 is far too few for a sign-flip test at 5 %: the analysis says so.
        bool warned = false;
        for (const std::string& note : analysis.notes) warned = warned || note.find("6") != std::string::npos;
        QVERIFY(warned);
        // Every run's rows are in the store: depths × samples × layers × heads (tiny: 2 layers).
        for (int64_t id : trained_.runIds) QVERIFY(!store.probeRows(id, 4).empty());

        const QString out = dir_.filePath("report");
        const std::string markdown = writeStudyReport(out.toStdString(), analysis, "tiny-two", "the command");
        QCOMPARE(readAll(QDir(out).filePath("study.md")), markdown);
        QVERIFY(markdown.find("Needle study tiny-two") != std::string::npos);
        QVERIFY(markdown.find("the command") != std::string::npos);
        const auto json = nlohmann::json::parse(readAll(QDir(out).filePath("study.json")));
        QCOMPARE(json.at("name").get<std::string>(), std::string("tiny-two"));
        QCOMPARE(json.at("command").get<std::string>(), std::string("the command"));
        const std::string csv = readAll(QDir(out).filePath("study.csv"));
        QVERIFY(csv.find("diff") != std::string::npos && csv.find("standard") != std::string::npos);
    }

    // The Compare view's statistics: the same runs read back from the store by id give the same analysis.
    void storedRunsAnalyseLikeTheStudy() {
        RunStore store = RunStore::open(db_);
        const StudyAnalysis study = probeStudy(store, "tiny-two", settings_);  // reuses the stored rows
        const std::vector<int64_t>& ids = trained_.runIds;
        const std::vector<int64_t> steps = commonProbeSteps(store, ids);
        QVERIFY(!steps.empty());
        QCOMPARE(steps.back(), int64_t(4));
        QVERIFY(std::is_sorted(steps.begin(), steps.end()));
        const std::vector<int64_t> reversed(ids.rbegin(), ids.rend());  // DIFF first: it is the baseline then
        const StudyAnalysis stored = analyzeStoredRuns(store, ids, 4);
        QCOMPARE(stored.kinds, study.kinds);
        QCOMPARE(stored.seeds, study.seeds);
        QCOMPARE(stored.samplesPerDepth, study.samplesPerDepth);
        for (const std::string& kind : study.kinds)
            for (size_t d = 0; d < study.depths.size(); ++d) {
                QCOMPARE(stored.perKind.at(kind)[d].answer.mean, study.perKind.at(kind)[d].answer.mean);
                QCOMPARE(stored.perKind.at(kind)[d].noise.high, study.perKind.at(kind)[d].noise.high);
            }
        QCOMPARE(stored.stepsTo95, study.stepsTo95);
        QCOMPARE(analyzeStoredRuns(store, reversed, 4).kinds.front(), std::string("diff"));
        // No probe at that step, or a seed without its DIFF run: clear errors.
        QVERIFY(errorText([&] { analyzeStoredRuns(store, ids, 3); }).contains("step 3"));
        const std::vector<int64_t> unpaired(ids.begin(), ids.begin() + 3);
        QVERIFY(errorText([&] { analyzeStoredRuns(store, unpaired, 4); }).contains("not paired"));
        QCOMPARE(commonProbeSteps(store, {}), std::vector<int64_t>());
    }

    void aSecondAnalysisReusesTheStoredRows() {
        RunStore store = RunStore::open(db_);
        QStringList logged;
        StudyProgress progress;
        progress.log = [&](const std::string& line) { logged << QString::fromStdString(line); };
        const StudyAnalysis again = probeStudy(store, "tiny-two", settings_, progress);
        QCOMPARE(logged.filter("probing run").size(), 0);
        QCOMPARE(again.seeds.size(), size_t(2));
        // More samples than stored: every run is probed again.
        StudyProbeSettings more = settings_;
        more.samples = 3;
        logged.clear();
        probeStudy(store, "tiny-two", more, progress);
        QCOMPARE(logged.filter("probing run").size(), 4);
    }

    // Held-out prompts: another prompt seed probes every run again on other prompts, next to (never over)
    // the rows of seed 0, and the report names the seed; runs probed on different seeds are not compared.
    void aPromptSeedProbesHeldOutPrompts() {
        RunStore store = RunStore::open(db_);
        StudyProbeSettings heldOut = settings_;
        heldOut.promptSeed = 7;
        const StudyAnalysis study = probeStudy(store, "tiny-two", heldOut);
        QCOMPARE(study.promptSeed, int64_t(7));
        QVERIFY(QString::fromStdString(studyMarkdown(study, "t", "")).contains("prompt seed 7, held out"));
        const int64_t run = trained_.runIds.front();
        const int64_t step = store.probeSteps(run).back();
        // prompt seed → (depth, sample, layer, head) → answer share: other prompts, other attention
        std::map<int64_t, std::map<std::tuple<double, int64_t, int64_t, int64_t>, double>> answerBySeed;
        for (const ProbeRow& row : store.probeRows(run, step))
            answerBySeed[row.probeSeed][{row.depth, row.sample, row.layer, row.head}] = row.raw.answer;
        QVERIFY(answerBySeed.count(0) && answerBySeed.count(7));
        QVERIFY(answerBySeed.at(0) != answerBySeed.at(7));
        QCOMPARE(probeStudy(store, "tiny-two", settings_).promptSeed, int64_t(0));  // seed 0's rows intact

        std::vector<StudyRun> mixed;
        for (int64_t id : trained_.runIds) {
            ProbeSelection selection;
            selection.step = step;
            selection.probeSeed = id == run ? 7 : 0;
            mixed.push_back(
                storedStudyRun(store, store.run(id), selectProbeRows(store.probeRows(id, step), selection)));
        }
        QVERIFY(errorText([&] { analyzeStudy(mixed); }).contains("prompt seed"));
    }

    void badRequestsAreClearErrors() {
        RunStore store = RunStore::open(db_);
        QVERIFY(errorText([&] {
                    probeStudy(store, "no-such-study", settings_);
                }).contains("study:no-such-study"));
        StudyProgress cancelling;
        cancelling.cancelled = [] { return true; };
        bool cancelled = false;
        try {
            probeStudy(store, "tiny-two", settings_, cancelling);
        } catch (const StudyCancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        store.setStatus(trained_.runIds.back(), RunStatus::Interrupted);
        const QString unfinished = errorText([&] { probeStudy(store, "tiny-two", settings_); });
        QVERIFY2(unfinished.contains("interrupted") && unfinished.contains("resume"), qPrintable(unfinished));
        store.setStatus(trained_.runIds.back(), RunStatus::Finished);
    }

  private:
    template <typename F>
    static QString errorText(F&& f) {
        try {
            f();
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
        return {};
    }
};

QTEST_GUILESS_MAIN(TestStudyRunner)
#include "test_study_runner.moc"
