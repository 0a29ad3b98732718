// The Compare view with a study's runs (several seeds per model kind), on a store filled by hand so every
// expected figure is known: "Mean by kind" draws each kind's mean over its faint runs (loss and depth
// charts, with a min–max band on the depth charts), and the Statistics tab analyses the runs as a paired
// study (the same tables as `needlescope-cli study`), says when there are too few seeds for the sign-flip
// test, and explains runs that are not paired.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QTabWidget>
#include <QTextBrowser>
#include <QtTest/QtTest>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/store/RunStore.h"
#include "core/train/TrainConfig.h"
#include "tests/gui/GuiSandbox.h"
#include "tests/gui/Screenshot.h"
#include "ui/charts/DepthCurveChart.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/views/CompareCurvesTab.h"
#include "ui/views/CompareStatsTab.h"
#include "ui/views/CompareView.h"

using namespace needlescope;

namespace {

const std::vector<uint64_t> kSeeds = {11, 12, 13};
const std::vector<double> kDepths = {0, 50, 100};

// The signed answer attention of every row of a run: one value per (kind, seed).
double answerOf(const std::string& kind, uint64_t seed) {
    return (kind == "standard" ? 0.10 : 0.30) + 0.02 * double(seed - 11);
}
double trainLoss(int runIndex, int step) { return 5.0 - 0.1 * step + 0.1 * runIndex; }

// One run: config with its seed, train loss at every step 0..20, validation and retrieval at 10 and 20,
// and probe rows at steps 10 and 20 (3 depths × 2 samples × 2 layers × 2 heads).
RunSource addRun(RunStore& store, const std::string& kind, uint64_t seed, int runIndex) {
    TrainConfig preset = loadPreset("tiny");
    preset.model.seed = seed;
    preset.model.kind = modelKindFromString(kind);
    const nlohmann::json config = preset;
    const std::string group = "tiny-s" + std::to_string(seed);
    const int64_t id = store.createRun({group, group + "/" + kind, kind, config.dump()});
    store.setTags(id, {"study:tiny-study"});
    std::vector<MetricPoint> metrics;
    for (int step = 0; step <= 20; ++step)
        metrics.push_back({step, "train_loss", trainLoss(runIndex, step), int64_t(step) * 100, step * 2.0});
    for (int step : {10, 20}) {
        metrics.push_back({step, "val_loss", 4.0 - 0.05 * step, int64_t(step) * 100, step * 2.0});
        metrics.push_back({step, "retrieval", step == 10 ? 0.5 : 1.0, int64_t(step) * 100, step * 2.0});
    }
    store.appendMetrics(id, metrics);
    std::vector<ProbeRow> rows;
    for (int64_t step : {10, 20})
        for (double depth : kDepths)
            for (int64_t sample = 0; sample < 2; ++sample)
                for (int64_t layer = 0; layer < 2; ++layer)
                    for (int64_t head = 0; head < 2; ++head) {
                        ProbeRow r;
                        r.runId = id;
                        r.step = step;
                        r.depth = r.placedDepth = depth;
                        r.contextLength = 128;
                        r.sample = sample;
                        r.layer = layer;
                        r.head = head;
                        r.signedNorm = r.absolute = r.raw = {0.05, answerOf(kind, seed), 0.5, 0.1};
                        r.signedTotal = 1.0;
                        // DIFF misses sample 1 at depth 0 of seed 11: one discordant pair for McNemar.
                        r.hit = !(kind == "diff" && seed == 11 && depth == 0 && sample == 1);
                        rows.push_back(r);
                    }
    store.addProbeRows(rows);
    store.setStatus(id, RunStatus::Finished);
    RunSource source;
    source.runId = id;
    source.kind = QString::fromStdString(kind);
    source.name = QString::fromStdString(group + "/" + kind);
    return source;
}

const DepthSeries* seriesNamed(const QVector<DepthSeries>& all, const QString& name) {
    for (const DepthSeries& s : all)
        if (s.name == name) return &s;
    return nullptr;
}

}  // namespace

class TestViewCompareStudy : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    app::AppPaths paths_;
    QVector<RunSource> runs_;  // seed 11 standard, seed 11 diff, seed 12 standard, ...

  private Q_SLOTS:
    void initTestCase() {
        const QString error = sandbox_.init(QStringLiteral("test_view_compare_study"));
        if (!error.isEmpty()) QSKIP(qPrintable(error));
        paths_ = sandbox_.emptyStore(QStringLiteral("study"));
        RunStore store = RunStore::open(paths_.dbPath.toStdString());
        int index = 0;
        for (uint64_t seed : kSeeds)
            for (const char* kind : {"standard", "diff"}) runs_ << addRun(store, kind, seed, index++);
    }

    void meanByKindDrawsTheMeanOverFaintRuns() {
        CompareCurvesTab tab(paths_);
        tab.lossChart()->setSmoothingEnabled(false);
        tab.showRuns(runs_);
        QVERIFY(tab.meanByKindBox()->isEnabled());
        QVERIFY(tab.meanByKindBox()->isChecked());
        tab.lossChart()->refreshNow();
        const QString mean = QStringLiteral("standard mean of 3 · train");
        QVERIFY2(tab.lossChart()->seriesNames().contains(mean),
                 qPrintable(tab.lossChart()->seriesNames().join(", ")));
        QVERIFY(tab.lossChart()->seriesNames().contains(QStringLiteral("DIFF mean of 3 · val")));
        QVERIFY(!tab.lossChart()->seriesFaint(mean));
        for (const RunSource& r : runs_)
            QVERIFY(tab.lossChart()->seriesFaint(QStringLiteral("#%1 %2 · train").arg(r.runId).arg(r.kind)));
        // The standard runs are indices 0, 2 and 4: their mean loss at step s is 5 − 0.1 s + 0.2.
        const QVector<QPointF> points = tab.lossChart()->displayedPoints(mean);
        QCOMPARE(points.size(), 21);
        for (const QPointF& p : points) QVERIFY(std::fabs(p.y() - (5.0 - 0.1 * p.x() + 0.2)) < 1e-9);

        // Depth charts: six faint runs and one mean per kind with the min–max band of its runs.
        const QVector<DepthSeries> depth = tab.depthChart()->series();
        QCOMPARE(depth.size(), 8);
        int faint = 0;
        for (const DepthSeries& s : depth) faint += s.faint ? 1 : 0;
        QCOMPARE(faint, 6);
        const DepthSeries* diffMean = seriesNamed(depth, QStringLiteral("DIFF mean of 3"));
        QVERIFY(diffMean);
        QCOMPARE(diffMean->depths, QVector<double>({0, 50, 100}));
        for (int k = 0; k < 3; ++k) {
            QVERIFY(std::fabs(diffMean->answerMean[k] - 0.32) < 1e-9);  // (0.30 + 0.32 + 0.34) / 3
            QVERIFY(std::fabs(diffMean->answerLow[k] - 0.30) < 1e-9);
            QVERIFY(std::fabs(diffMean->answerHigh[k] - 0.34) < 1e-9);
            QVERIFY(std::fabs(diffMean->noiseMean[k] - 0.5) < 1e-9);
        }
        testsupport::saveScreenshot(&tab, QStringLiteral("compare-mean-by-kind"), QSize(1100, 760));

        // Unticked: every run as before, no means, nothing faint.
        tab.meanByKindBox()->setChecked(false);
        tab.lossChart()->refreshNow();
        QVERIFY(!tab.lossChart()->seriesNames().contains(mean));
        QVERIFY(!tab.lossChart()->seriesFaint(QStringLiteral("#%1 standard · train").arg(runs_[0].runId)));
        QCOMPARE(tab.depthChart()->series().size(), 6);
        for (const DepthSeries& s : tab.depthChart()->series()) QVERIFY(!s.faint);
    }

    void aKindWithOneRunIsDrawnAsUsual() {
        CompareCurvesTab tab(paths_);
        tab.showRuns({runs_[0], runs_[1], runs_[2]});  // standard seeds 11 and 12, DIFF seed 11
        const QVector<DepthSeries> depth = tab.depthChart()->series();
        QCOMPARE(depth.size(), 4);
        QVERIFY(seriesNamed(depth, QStringLiteral("standard mean of 2")));
        QVERIFY(!seriesNamed(depth, QStringLiteral("DIFF mean of 1")));
        const DepthSeries* diff = seriesNamed(depth, QStringLiteral("#%1 diff").arg(runs_[1].runId));
        QVERIFY(diff);
        QVERIFY(!diff->faint);

        tab.showRuns({runs_[0], runs_[1]});  // no kind repeats: nothing to group
        QVERIFY(!tab.meanByKindBox()->isEnabled());
        QCOMPARE(tab.depthChart()->series().size(), 2);
    }

    void statisticsAnalyseThePairedSeeds() {
        CompareStatsTab tab(paths_);
        tab.resize(1000, 700);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        tab.showRuns({runs_[1], runs_[0], runs_[3], runs_[2], runs_[5], runs_[4]});  // DIFF listed first
        QCOMPARE(tab.stepCombo()->count(), 2);
        QCOMPARE(tab.stepCombo()->currentText(), QStringLiteral("20"));  // the latest common probe
        const QString text = tab.markdown();
        QVERIFY(tab.report()->toPlainText().contains(QStringLiteral("Retrieval")));
        QVERIFY2(text.contains(QStringLiteral("Retrieval")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("sign-flip")));
        QVERIFY(text.contains(QStringLiteral("McNemar")));
        QVERIFY(text.contains(QStringLiteral("diff − standard")));  // standard is the baseline
        QVERIFY(text.contains(QStringLiteral("0.120 [")));          // standard answer: mean of its seeds
        QVERIFY(text.contains(QStringLiteral("0.320 [")));
        QVERIFY(text.contains(QStringLiteral("| 20, 20, 20 |")));  // steps to 95 % per seed
        QVERIFY(tab.seedsNote()->isVisible());
        QVERIFY(tab.seedsNote()->text().contains(QStringLiteral("needs 6")));
        QVERIFY(tab.seedsNote()->text().contains(QStringLiteral("0.250")));  // 2 / 2³
        testsupport::saveScreenshot(&tab, QStringLiteral("compare-statistics"), QSize(1000, 700));

        tab.stepCombo()->setCurrentIndex(1);  // step 10
        QVERIFY(tab.markdown().contains(QStringLiteral("probe at step 10")));
    }

    void runsThatAreNotPairedAreExplained() {
        CompareStatsTab tab(paths_);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        tab.showRuns({runs_[0], runs_[1], runs_[2]});  // seed 12 has no DIFF run
        QVERIFY(tab.report()->toPlainText().contains(QStringLiteral("cannot be analysed as a study")));
        QVERIFY(tab.report()->toPlainText().contains(QStringLiteral("not paired")));
        QVERIFY(!tab.seedsNote()->isVisible());
        tab.showRuns({runs_[0]});
        QVERIFY(tab.report()->toPlainText().contains(QStringLiteral("two or more runs")));
    }

    // The Compare view offers the study in its experiment picker (before the per-seed groups) and opens on
    // it: all six runs compared, each kind's mean drawn, the statistics over the three seeds.
    void compareOpensOnTheStudy() {
        CompareView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.refresh();
        QComboBox* picker = view.experimentCombo();
        QCOMPARE(picker->count(), 4);  // the study, then one group per seed
        QCOMPARE(picker->itemText(0), QStringLiteral("study tiny-study (6 runs)"));
        QVERIFY(picker->itemText(1).endsWith(QStringLiteral("(2 runs)")));
        QVector<qint64> all;
        for (const RunSource& r : runs_) all << r.runId;
        QCOMPARE(view.runIds(), all);
        QVERIFY(view.curvesTab()->meanByKindBox()->isEnabled());
        view.tabs()->setCurrentWidget(view.statsTab());
        QTRY_VERIFY(view.statsTab()->markdown().contains(QStringLiteral("Seeds: 3 (11, 12, 13)")));
        testsupport::saveScreenshot(&view, QStringLiteral("compare-study"), QSize(1280, 800));
        // Picking one seed's group compares that pair only.
        picker->setCurrentIndex(1);
        Q_EMIT picker->activated(1);
        QTRY_COMPARE(view.runIds().size(), 2);
    }

    void analysedWhenShownNotBefore() {
        CompareStatsTab tab(paths_);
        tab.showRuns(runs_);  // hidden: nothing analysed yet
        QVERIFY(tab.report()->toPlainText().isEmpty());
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QVERIFY(tab.report()->toPlainText().contains(QStringLiteral("Retrieval")));
    }
};

QTEST_MAIN(TestViewCompareStudy)
#include "test_view_compare_study.moc"
