// Issue 15: a DIFF V2 run (kind diff2) beside the tiny standard/DIFF pair in every view. Inspect shows its
// A_2i / A_2i+1 / effective maps on the diverging scale and a λ-per-token strip under the token strip (the
// λ of each captured row, within (0, 1), and rows summing to 1 − λ_t); Compare draws it as a third line in
// its own colour and a third heatmap; Runs names it "DIFF V2". Screenshots at 1280 × 800.
#include <QChart>
#include <QCheckBox>
#include <QLineSeries>
#include <QListWidget>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QtTest/QtTest>
#include <cmath>

#include "Screenshot.h"
#include "core/store/RunStore.h"
#include "tests/gui/ExtraRun.h"
#include "tests/gui/GuiSandbox.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/settings/AppPaths.h"
#include "ui/style/Palette.h"
#include "ui/views/CompareView.h"
#include "ui/views/InspectView.h"
#include "ui/views/RunsTableModel.h"
#include "ui/views/RunsView.h"
#include "ui/views/TrainView.h"
#include "ui/widgets/HeatmapWidget.h"
#include "ui/widgets/TokenStripWidget.h"
#include "ui/workers/TrainingWorker.h"

using namespace needlescope;

namespace {

constexpr int kWait = 30000;

QColor listColor(const CompareView& view, int64_t runId) {
    for (int i = 0; i < view.runList()->count(); ++i)
        if (view.runList()->item(i)->data(Qt::UserRole).toLongLong() == runId)
            return view.runList()->item(i)->foreground().color();
    return {};
}

}  // namespace

class TestViewDiff2 : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    app::AppPaths paths_;
    std::vector<int64_t> pair_;  // standard, diff (the shared fixture)
    int64_t v2_ = 0;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem = sandbox_.initWithTrainedStore("test_view_diff2", &paths_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        pair_ = testsupport::GuiSandbox::trainedRunIds(paths_);
        QCOMPARE(int(pair_.size()), 2);
        // A tiny V2 run beside them, with the fixture's shape (context 128: long enough for a needle).
        v2_ = testsupport::trainExtraRun(paths_, ModelKind::Diff2, 128, 10);
        QVERIFY(v2_ > 0);
        QCOMPARE(RunStore::open(paths_.dbPath.toStdString(), true).run(v2_).kind, std::string("diff2"));
    }

    void inspectShowsLambdaPerToken() {
        InspectView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showRun(v2_);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() && view.currentRunId() == v2_, kWait);
        const auto r = view.currentResult();
        QCOMPARE(r->kind, std::string("diff2"));
        QVERIFY(r->diff && r->diff2);
        QCOMPARE(r->heads, int64_t(4));  // h output heads (2h query heads)
        QCOMPARE(r->lambdaTokens.size(), size_t(r->layers * r->heads * r->rows));
        QCOMPARE(r->a1.size(), r->effective.size());
        // Each captured row sums to 1 − λ of its token (layer 1, head 2, every row).
        for (int64_t row = 0; row < r->rows; ++row) {
            const float* values = r->row(MapKind::Effective, 1, 2, row);
            double sum = 0;
            for (int64_t c = 0; c < r->cols; ++c) sum += values[c];
            const float lambda = r->lambdaTokens[size_t((1 * r->heads + 2) * r->rows + row)];
            QVERIFY(lambda > 0.0f && lambda < 1.0f);
            QVERIFY2(std::abs(sum - (1.0 - lambda)) < 1e-4, qPrintable(QString("row %1").arg(row)));
        }
        // The λ strip sits under the token strip, token for token, shaded by the selected head's λ.
        TokenStripWidget* strip = view.lambdaStrip();
        QVERIFY(strip->isVisible());
        QCOMPARE(strip->tokenCount(), view.tokenStrip()->tokenCount());
        QVERIFY(strip->geometry().top() > view.tokenStrip()->geometry().top());
        view.selectHead(1, 2);
        const std::vector<float> weights = strip->weights();
        QCOMPARE(weights.size(), size_t(r->contextLength));
        for (int64_t row = 0; row < r->rows; ++row)
            QCOMPARE(weights[size_t(r->rowPositions[size_t(row)])],
                     r->lambdaTokens[size_t((1 * r->heads + 2) * r->rows + row)]);
        QCOMPARE(view.heatmap()->scaleMode(), ColorScale::Mode::Diverging);  // signed effective map
        QVERIFY(!testsupport::saveScreenshot(&view, QStringLiteral("inspect-view-diff2")).isEmpty());
        // Another kind hides the strip.
        view.showRun(pair_[0]);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() && view.currentRunId() == pair_[0], kWait);
        QVERIFY(!view.lambdaStrip()->isVisible());
    }

    void compareDrawsAThirdLine() {
        CompareView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.compareRuns({pair_[0], pair_[1], v2_});
        QCOMPARE(view.runIds(), (QVector<qint64>{pair_[0], pair_[1], v2_}));
        QCOMPARE(view.lossChart()->seriesNames().size(), 6);  // train + val for each run
        QCOMPARE(listColor(view, v2_), modelColor("diff2"));
        QVERIFY(modelColor("diff2") != modelColor("diff") && modelColor("diff2") != modelColor("standard"));
        bool v2Line = false;
        for (QAbstractSeries* s : view.lossChart()->chart()->series())
            if (auto* line = qobject_cast<QLineSeries*>(s); line && line->name().contains("diff2"))
                v2Line = v2Line || line->pen().color() == modelColor("diff2");
        QVERIFY(v2Line);
        view.tabs()->setCurrentIndex(1);
        QCOMPARE(view.heatmaps().size(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(
            view.results().size() == 3 && view.results()[0] && view.results()[1] && view.results()[2], kWait);
        QCOMPARE(view.results()[2]->kind, std::string("diff2"));
        QCOMPARE(view.results()[2]->tokens, view.results()[0]->tokens);  // one needle for all three
        QCOMPARE(view.heatmaps()[2]->scaleMode(), ColorScale::Mode::Diverging);
        QVERIFY(!testsupport::saveScreenshot(&view, QStringLiteral("compare-view-three-kinds")).isEmpty());
    }

    // The Train form's KV heads (V2's h_kv) in the row under the DIFF V2 box: only with V2 ticked, validated
    // like the config (must divide Heads), and written into the V2 run's config.
    void trainFormTakesKvHeads() {
        TrainView view(paths_);
        view.show();
        view.selectPreset("tiny");  // 4 heads
        auto* kv = view.findChild<QSpinBox*>("kvHeadsSpin");
        auto* v2 = view.findChild<QCheckBox*>("diff2Box");
        QVERIFY(kv && v2);
        QVERIFY(!v2->isChecked());
        QVERIFY(!kv->isEnabled());
        QCOMPARE(kv->value(), 0);
        QCOMPARE(kv->text(), QStringLiteral("KV = heads"));
        v2->setChecked(true);
        QVERIFY(kv->isEnabled());
        kv->setValue(3);
        QVERIFY2(view.validationMessage().contains("kv_heads"), qPrintable(view.validationMessage()));
        QVERIFY(!view.startAction()->isEnabled());
        kv->setValue(2);
        QVERIFY(view.validationMessage().isEmpty());
        QCOMPARE(view.currentConfig().model.kvHeads, int64_t(2));
        v2->setChecked(false);
        QVERIFY(!kv->isEnabled());
        QCOMPARE(view.currentConfig().model.kvHeads, int64_t(0));  // the preset's: V2 is not trained
    }

    // Training V2 alone: the monitor's λ table shows its mean λ_t per layer (within (0, 1)) in the V2
    // column and "—" for DIFF; the same values are stored as the run's lambda_<layer> metrics.
    void trainMonitorShowsTheMeanV2Lambda() {
        const app::AppPaths paths = sandbox_.emptyStore(QStringLiteral("v2-train"));
        TrainView view(paths);
        view.show();
        view.setDataFolder(sandbox_.corpus());
        view.selectPreset("tiny");
        view.findChild<QCheckBox*>("standardBox")->setChecked(false);
        view.findChild<QCheckBox*>("diffBox")->setChecked(false);
        view.findChild<QCheckBox*>("diff2Box")->setChecked(true);
        view.findChild<QSpinBox*>("stepsSpin")->setValue(3);
        QVERIFY2(view.validationMessage().isEmpty(), qPrintable(view.validationMessage()));
        QSignalSpy finished(view.worker(), &TrainingWorker::finished);
        view.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWait);
        auto* table = view.findChild<QTableWidget*>("lambdaTable");
        QVERIFY(table);
        QTRY_COMPARE(table->rowCount(), 2);  // tiny: 2 layers
        const RunStore store = RunStore::open(paths.dbPath.toStdString(), true);
        const int64_t run = store.runs().front().id;
        for (int l = 0; l < 2; ++l) {
            bool ok = false;
            const double shown = table->item(l, 3)->text().toDouble(&ok);
            QVERIFY2(ok && shown > 0 && shown < 1, qPrintable(table->item(l, 3)->text()));
            QCOMPARE(table->item(l, 1)->text(), QStringLiteral("—"));
            const auto stored = store.metrics(run, "lambda_" + std::to_string(l));
            QCOMPARE(stored.size(), size_t(3));
            QVERIFY(std::fabs(stored.back().value - shown) < 1e-3);  // shown with 3 decimals
        }
    }

    void runsNameTheKind() {
        RunsView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.visibleRunCount(), 3);
        const QAbstractItemModel* m = view.table()->model();
        QStringList kinds;
        for (int row = 0; row < m->rowCount(); ++row)
            kinds << m->index(row, RunsTableModel::Kind).data().toString();
        kinds.sort();
        QCOMPARE(kinds, (QStringList{"DIFF", "DIFF V2", "standard"}));
    }
};

QTEST_MAIN(TestViewDiff2)
#include "test_view_diff2.moc"
