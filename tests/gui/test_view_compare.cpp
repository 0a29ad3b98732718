// CompareView (issue 6): constructs with an empty store and with a tiny paired run (checked by default);
// the config diff lists exactly the keys that differ (expectation computed here from the stored JSON);
// overlaid loss curves; answer/noise vs depth from the stored probes with a step slider; two heatmaps
// driven by one set of needle controls with a shared colour scale; screenshots at 1280 × 800 (issue 12:
// colours by model kind whatever the position, head grids that pick the head, File ▸ Export of the compared
// runs, a usable loss chart at 1024 × 640, the wall-clock axis, persisted chart options).
#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>
#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "Screenshot.h"
#include "core/probe/Inspection.h"
#include "core/store/RunStore.h"
#include "core/train/Experiment.h"
#include "core/train/TrainConfig.h"
#include "tests/TestSupport.h"
#include "tests/gui/GuiSandbox.h"
#include "ui/MainWindow.h"
#include "ui/charts/DepthCurveChart.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/settings/AppPaths.h"
#include "ui/style/Palette.h"
#include "ui/views/CompareView.h"
#include "ui/views/RunsView.h"
#include "ui/widgets/ConfigDiffTable.h"
#include "ui/widgets/HeadGridWidget.h"
#include "ui/widgets/HeatmapWidget.h"

using namespace needlescope;

namespace {

constexpr int kWait = 30000;

// Independent of ui/widgets/ConfigDiff: leaves of a JSON object as dotted keys → compact JSON text.
void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
    if (j.is_object() && !j.empty()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    } else {
        out[prefix] = j.dump();
    }
}

QStringList expectedDifferences(const std::string& a, const std::string& b) {
    const std::set<std::string> ignored = {"train.name", "tokenizer_model", "data.root"};  // name and paths
    std::map<std::string, std::string> fa, fb;
    flatten(nlohmann::json::parse(a), "", fa);
    flatten(nlohmann::json::parse(b), "", fb);
    std::set<std::string> keys;
    for (const auto& [k, v] : fa) keys.insert(k);
    for (const auto& [k, v] : fb) keys.insert(k);
    QStringList out;
    for (const std::string& k : keys) {
        if (ignored.count(k)) continue;
        const auto ia = fa.find(k), ib = fb.find(k);
        if (ia == fa.end() || ib == fb.end() || ia->second != ib->second) out << QString::fromStdString(k);
    }
    return out;  // sorted (std::set order)
}

QLineSeries* lineOf(const LossChartWidget* chart, const QString& name) {
    for (QAbstractSeries* s : chart->chart()->series())
        if (s->name() == name) return qobject_cast<QLineSeries*>(s);
    return nullptr;
}

QString seriesName(int64_t runId, const char* kind, const char* part) {
    return QString::fromUtf8("#%1 %2 · %3").arg(runId).arg(QString::fromUtf8(kind), QString::fromUtf8(part));
}

QColor listColor(const CompareView& view, int64_t runId) {
    for (int i = 0; i < view.runList()->count(); ++i)
        if (view.runList()->item(i)->data(Qt::UserRole).toLongLong() == runId)
            return view.runList()->item(i)->foreground().color();
    return {};
}

// Answers the next file dialog with `path` (File ▸ Export asks where to save); the caller deletes it.
QTimer* answerFileDialog(const QString& path) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, path] {
        auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
        if (!dialog) return;
        timer->stop();
        // Typed as a user would: selectFile() on a path outside the dialog's folder races with the folder
        // model loading that folder (the dialog then sometimes returned the old folder's name).
        if (auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit")))
            name->setText(path);
        else
            dialog->selectFile(path);
        static_cast<QDialog*>(dialog)->accept();  // public in QDialog
    });
    timer->start();
    return timer;
}

QAction* exportAction(QMainWindow& window) {
    for (QAction* m : window.menuBar()->actions())
        if (m->menu())
            for (QAction* a : m->menu()->actions())
                if (a->text().remove('&').startsWith("Export")) return a;
    return nullptr;
}

}  // namespace

class TestViewCompare : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    app::AppPaths paths_;
    std::vector<int64_t> runIds_;  // standard, diff
    int64_t variant_ = 0;          // a third run: the standard config with other settings

  private Q_SLOTS:
    void initTestCase() {
        const QString problem = sandbox_.initWithTrainedStore("test_view_compare", &paths_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        runIds_ = testsupport::GuiSandbox::trainedRunIds(paths_);
        QCOMPARE(int(runIds_.size()), 2);
        {
            // Stored probes at every checkpoint (steps 10, 20, 30), as the training-time probe stores them:
            // one row per (depth, sample, layer, head) with the last token's buckets (computed here through
            // the same placement API the views use; a test TU cannot include core/probe/Probe.h next to
            // the UI's HighlightSpan).
            RunStore store = RunStore::open(paths_.dbPath.toStdString());
            const auto cfg = nlohmann::json::parse(store.run(runIds_[0]).configJson);
            InspectionSession session;
            for (int64_t id : runIds_) {
                std::vector<ProbeRow> rows;
                for (const CheckpointRecord& c : store.checkpoints(id))
                    for (double depth : {0.0, 50.0, 100.0})
                        for (int64_t sample = 0; sample < 2; ++sample) {
                            InspectionRequest r;
                            r.checkpointPath = c.path;
                            r.tokenizerModel = cfg.at("tokenizer_model").get<std::string>();
                            r.dataRoot = cfg.at("data").at("root").get<std::string>();
                            r.depth = depth;
                            r.sample = sample;
                            r.contextLength = 96;
                            r.allRows = false;
                            const InspectionResult res = session.inspect(r);
                            for (int64_t l = 0; l < res.layers; ++l)
                                for (int64_t h = 0; h < res.heads; ++h) {
                                    const RowBuckets& b = res.buckets(l, h);
                                    ProbeRow row;
                                    row.runId = id;
                                    row.step = c.step;
                                    row.depth = depth;
                                    row.contextLength = 96;
                                    row.sample = sample;
                                    row.layer = l;
                                    row.head = h;
                                    row.signedNorm = b.signedNorm;
                                    row.absolute = b.absolute;
                                    row.raw = b.raw;
                                    row.signedTotal = b.signedTotal;
                                    row.hit = res.hit;
                                    rows.push_back(row);
                                }
                        }
                store.addProbeRows(rows);
            }
        }

        // A newer, unrelated run with a few other settings (no checkpoints) in a group of its own: the view
        // still opens on the latest paired experiment.
        RunStore store = RunStore::open(paths_.dbPath.toStdString());
        auto json = nlohmann::json::parse(store.run(runIds_[0]).configJson);
        json["train"]["name"] = "variant";
        json["train"]["optimizer"]["lr"] = 0.01;
        json["train"]["batch_size"] = 2;
        json["model"]["d_model"] = 48;
        json["data"]["root"] = "/somewhere/else";  // a path: never listed
        NewRun run;
        run.group = "variant-group";
        run.name = "variant";
        run.kind = "standard";
        run.configJson = json.dump();
        variant_ = store.createRun(run);
        store.setStatus(variant_, RunStatus::Finished);
    }

    void emptyStore() {
        app::AppPaths none;
        none.dbPath = QDir(sandbox_.root()).filePath("missing.db");
        CompareView view(none);
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.runIds().isEmpty());
        QCOMPARE(view.configDiff()->differenceCount(), 0);
        QVERIFY(view.heatmaps().isEmpty());
        view.compareRuns({1, 2});  // unknown runs: nothing to show, no crash
        view.refresh();
        QVERIFY(view.runIds().isEmpty());
    }

    void configDiffListsExactlyTheDifferingKeys() {
        RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
        const std::string standard = store.run(runIds_[0]).configJson,
                          diff = store.run(runIds_[1]).configJson, variant = store.run(variant_).configJson;
        CompareView view(paths_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // By default: the latest paired experiment.
        QCOMPARE(view.runIds(), (QVector<qint64>{runIds_[0], runIds_[1]}));
        const QStringList pair = expectedDifferences(standard, diff);
        QVERIFY(pair.contains(QStringLiteral("model.kind")));
        QCOMPARE(view.configDiff()->differingKeys(), pair);

        view.compareRuns({runIds_[0], variant_});
        QCOMPARE(view.runIds(), (QVector<qint64>{runIds_[0], variant_}));
        const QStringList other = expectedDifferences(standard, variant);
        QCOMPARE(other, (QStringList{"model.d_model", "train.batch_size", "train.optimizer.lr"}));
        QCOMPARE(view.configDiff()->differingKeys(), other);

        view.compareRuns({runIds_[1], variant_});
        QCOMPARE(view.configDiff()->differingKeys(), expectedDifferences(diff, variant));
    }

    void curvesAndProbesOverTraining() {
        CompareView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.lossChart()->seriesNames().size(), 4);  // train + val for each run
        for (const QString& name : view.lossChart()->seriesNames())
            QVERIFY(view.lossChart()->pointCount(name) > 0);
        QCOMPARE(view.probeSteps(), (QVector<qint64>{10, 20, 30}));
        QCOMPARE(view.stepSlider()->value(), 2);  // the latest probe
        QCOMPARE(view.depthChart()->series().size(), 2);
        const DepthSeries late = view.depthChart()->series().front();
        QCOMPARE(late.depths, (QVector<double>{0, 50, 100}));
        QVERIFY(view.depthChart()->title().contains(QStringLiteral("step 30")));
        QCOMPARE(view.size(), QSize(1280, 800));  // nothing forces the view wider than the screenshot
        // Absolute buckets: per sample the mean over heads then layers, then the mean over samples.
        view.findChild<QComboBox*>(QStringLiteral("probeNorm"))->setCurrentIndex(1);
        {
            RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
            const auto rows = store.probeRows(runIds_[0], 30);
            for (int d = 0; d < 3; ++d) {
                double sum = 0;
                for (int64_t sample = 0; sample < 2; ++sample) {
                    std::map<int64_t, std::pair<double, int>> layers;
                    for (const ProbeRow& r : rows)
                        if (r.depth == 50.0 * d && r.sample == sample) {
                            layers[r.layer].first += r.absolute.answer;
                            ++layers[r.layer].second;
                        }
                    double perSample = 0;
                    for (const auto& [l, v] : layers) perSample += v.first / v.second;
                    sum += perSample / double(layers.size());
                }
                const double expected = sum / 2;
                const double shown = view.depthChart()->series().front().answerMean[d];
                QVERIFY2(std::fabs(shown - expected) < 1e-9,
                         qPrintable(QString("%1 vs %2").arg(shown).arg(expected)));
            }
        }
        const DepthSeries lateAbsolute = view.depthChart()->series().front();
        view.stepSlider()->setValue(0);
        QVERIFY(view.depthChart()->title().contains(QStringLiteral("step 10")));
        QCOMPARE(view.depthChart()->series().size(), 2);
        QVERIFY(view.depthChart()->series().front().answerMean != lateAbsolute.answerMean ||
                view.depthChart()->series().front().noiseMean != lateAbsolute.noiseMean);
        view.findChild<QComboBox*>(QStringLiteral("probeNorm"))->setCurrentIndex(0);
        view.stepSlider()->setValue(1);
        const QString path = testsupport::saveScreenshot(&view, QStringLiteral("compare-view"));
        QVERIFY2(!path.isEmpty(), "screenshot saved");
    }

    void coloursFollowTheModelKind() {
        CompareView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const int64_t standard = runIds_[0], diff = runIds_[1];
        // The paired experiment: standard first, DIFF second.
        QCOMPARE(lineOf(view.lossChart(), seriesName(standard, "standard", "train"))->pen().color(),
                 modelColor("standard"));
        QCOMPARE(lineOf(view.lossChart(), seriesName(diff, "diff", "val"))->pen().color(),
                 modelColor("diff"));
        QCOMPARE(view.depthChart()->series().value(1).color, modelColor("diff"));
        // DIFF first (it was created before the variant): still DIFF's colour, in the chart and the list.
        view.compareRuns({diff, variant_});
        QCOMPARE(view.runIds(), (QVector<qint64>{diff, variant_}));
        QCOMPARE(lineOf(view.lossChart(), seriesName(diff, "diff", "train"))->pen().color(),
                 modelColor("diff"));
        QCOMPARE(view.depthChart()->series().value(0).color, modelColor("diff"));
        QCOMPARE(listColor(view, diff), modelColor("diff"));
        QCOMPARE(listColor(view, variant_), modelColor("standard"));
        // Two runs of one kind: the kind's colour, then a shade of it.
        view.compareRuns({standard, variant_});
        QCOMPARE(listColor(view, standard), modelColor("standard"));
        QCOMPARE(listColor(view, variant_), modelShade("standard", 1));
        QVERIFY(modelShade("standard", 1) != modelColor("standard"));
        QCOMPARE(modelShade("standard", 1).hue(), modelColor("standard").hue());
    }

    void exportShortcutExportsTheComparedRuns() {
        MainWindow window(paths_);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.runsView()->refresh();
        window.runsView()->selectRuns({variant_});  // another selection in the Runs view
        window.tabs()->setCurrentIndex(MainWindow::CompareTab);
        const QVector<qint64> compared = window.compareView()->runIds();
        QCOMPARE(compared, (QVector<qint64>{runIds_[0], runIds_[1]}));
        QAction* action = exportAction(window);
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
        QTemporaryDir out;
        const QString csv = out.filePath("compared.csv");
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);  // a QFileDialog the timer can answer
        std::unique_ptr<QTimer> answer(answerFileDialog(csv));
        action->trigger();
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::CompareTab));  // stays in Compare
        QFile file(csv);
        QVERIFY2(file.open(QIODevice::ReadOnly), "the export wrote the chosen file");
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QVERIFY(lines.size() > 2);
        QVERIFY(lines.front().startsWith("run_id,"));
        std::set<qint64> ids;
        for (int i = 1; i < lines.size(); ++i) ids.insert(lines[i].split(',').front().toLongLong());
        QCOMPARE(ids, (std::set<qint64>{runIds_[0], runIds_[1]}));

        // The figure is the Compare chart as shown; nothing compared: a clear message.
        QString error;
        QVERIFY2(window.compareView()->exportComparedTo(out.filePath("loss.png"), &error), qPrintable(error));
        QCOMPARE(QImage(out.filePath("loss.png")).width(), 1800);
        QVERIFY(!window.compareView()->exportComparedTo(out.filePath("x.xlsx"), &error));
        QVERIFY(error.contains(".csv"));
        app::AppPaths none;
        none.dbPath = QDir(sandbox_.root()).filePath("missing.db");
        CompareView empty(none);
        QVERIFY(!empty.exportComparedTo(out.filePath("none.csv"), &error));
        QVERIFY(error.contains("no runs"));
    }

    void lossChartStaysUsableAt1024x640() {
        MainWindow window(paths_);
        window.resize(1024, 640);
        window.tabs()->setCurrentIndex(MainWindow::CompareTab);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCoreApplication::processEvents();
        CompareView* view = window.compareView();
        const int loss = view->lossChart()->chartView()->height(), depth = view->depthChart()->height();
        QVERIFY2(loss >= 200, qPrintable(QString("loss chart %1 px high").arg(loss)));
        QVERIFY2(depth >= 200, qPrintable(QString("depth chart %1 px high").arg(depth)));
        QVERIFY(loss > depth);  // the loss chart has the larger share
        QVERIFY(
            !testsupport::saveScreenshot(&window, QStringLiteral("compare-view-1024x640"), QSize(1024, 640))
                 .isEmpty());
    }

    void wallClockAxisShowsTheStoredTimes() {
        {
            CompareView view(paths_);
            view.lossChart()->setSmoothingEnabled(false);
            view.lossChart()->setXAxis(LossXAxis::WallClock);
            view.lossChart()->setLogY(true);
        }
        CompareView view(paths_);  // the options persist
        QCOMPARE(view.lossChart()->xAxis(), LossXAxis::WallClock);
        QVERIFY(view.lossChart()->logY());
        QVERIFY(!view.lossChart()->smoothingEnabled());
        RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
        const auto metrics = store.metrics(runIds_[1], "train_loss");
        QVERIFY(!metrics.empty());
        QVector<double> stored, shown;
        for (const MetricPoint& p : metrics) stored << p.wallTime;
        for (const QPointF& p : view.lossChart()->displayedPoints(seriesName(runIds_[1], "diff", "train")))
            shown << p.x();
        QCOMPARE(shown, stored);
        QVERIFY(stored.back() > 0.0);
        view.lossChart()->setXAxis(LossXAxis::Steps);
        view.lossChart()->setLogY(false);
        view.lossChart()->setSmoothingEnabled(true);
    }

    void heatmapsSideBySideWithSharedScale() {
        CompareView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.tabs()->setCurrentIndex(1);
        QCOMPARE(view.heatmaps().size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(view.results().size() == 2 && view.results()[0] && view.results()[1], kWait);
        const auto results = view.results();
        QCOMPARE(results[0]->kind, std::string("standard"));
        QCOMPARE(results[1]->kind, std::string("diff"));
        // One set of controls: the same needle, depth and context for both.
        QCOMPARE(results[0]->tokens, results[1]->tokens);
        QCOMPARE(results[0]->needle.begin, results[1]->needle.begin);
        for (HeatmapWidget* map : view.heatmaps()) QVERIFY(map->rows() > 0);
        // A head grid per run: every head's answer attention; a click shows that head in every panel.
        QCOMPARE(view.headGrids().size(), 2);
        for (int i = 0; i < 2; ++i) {
            HeadGridWidget* grid = view.headGrids()[i];
            QCOMPARE(grid->layers(), int(results[i]->layers));
            QCOMPARE(grid->heads(), int(results[i]->heads));
            QCOMPARE(grid->scalar(0, 1), float(results[i]->buckets(0, 1).signedNorm.answer));
        }
        HeadGridWidget* grid = view.headGrids()[0];
        QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellRect(0, 1).center());
        QCOMPARE(view.layerSpin()->value(), 0);
        QCOMPARE(view.headSpin()->value(), 1);
        for (HeatmapWidget* map : view.heatmaps())
            QVERIFY(map->title().startsWith(QStringLiteral("layer 0 · head 1")));
        QCOMPARE(view.headGrids()[1]->selectedLayer(), 0);
        QCOMPARE(view.headGrids()[1]->selectedHead(), 1);
        QCOMPARE(view.heatmaps()[0]->scaleMode(), ColorScale::Mode::Sequential);
        QCOMPARE(view.heatmaps()[1]->scaleMode(), ColorScale::Mode::Diverging);

        view.depthSlider()->setValue(0);
        QTRY_VERIFY_WITH_TIMEOUT(view.results()[0] && view.results()[0]->depth == 0.0 && view.results()[1] &&
                                     view.results()[1]->depth == 0.0,
                                 kWait);
        QCOMPARE(view.results()[0]->needle.begin, int64_t(1));
        QCOMPARE(view.results()[1]->needle.begin, int64_t(1));

        view.sharedScaleBox()->setChecked(true);
        for (HeatmapWidget* map : view.heatmaps()) QVERIFY(map->hasFixedRange());
        QCOMPARE(view.heatmaps()[0]->colorScale(), view.heatmaps()[1]->colorScale());
        const auto range0 = view.heatmaps()[0]->dataRange(), range1 = view.heatmaps()[1]->dataRange();
        const float maxAbs = std::max({std::fabs(range0.first), std::fabs(range0.second),
                                       std::fabs(range1.first), std::fabs(range1.second)});
        QCOMPARE(view.heatmaps()[0]->colorScale().maximum(), maxAbs);
        // The same head index in both where it exists (DIFF has half the heads: clamped).
        view.layerSpin()->setValue(0);
        view.headSpin()->setValue(view.headSpin()->maximum());
        QVERIFY(
            view.heatmaps()[0]->title().contains(QStringLiteral("head %1").arg(view.headSpin()->maximum())));
        QVERIFY(view.heatmaps()[0]->hasFixedRange());
        view.symLogBox()->setChecked(true);  // the sink sets the range: log colours show the rest
        QCOMPARE(view.heatmaps()[0]->colorScale(), view.heatmaps()[1]->colorScale());
        QVERIFY(view.heatmaps()[0]->colorScale().symLogWidth() > 0);
        const QString path = testsupport::saveScreenshot(&view, QStringLiteral("compare-view-attention"));
        QVERIFY(!path.isEmpty());
        view.sharedScaleBox()->setChecked(false);
        for (HeatmapWidget* map : view.heatmaps()) QVERIFY(!map->hasFixedRange());
    }
};

QTEST_MAIN(TestViewCompare)
#include "test_view_compare.moc"
