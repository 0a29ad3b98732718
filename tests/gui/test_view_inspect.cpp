// InspectView (issue 6): constructs with an empty store and with a tiny paired run; moving the depth slider
// moves the highlighted needle and changes the bucket values (computed by the worker, off the GUI thread);
// a signed DIFF map is drawn on the diverging scale (a known negative cell is blue); the worker delivers
// only the latest of several quick requests; screenshots of both models at 1280 × 800.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>

#include "Screenshot.h"
#include "core/store/RunStore.h"
#include "core/store/Sqlite.h"
#include "tests/TestSupport.h"
#include "tests/gui/ExtraRun.h"
#include "tests/gui/GuiSandbox.h"
#include "ui/settings/AppPaths.h"
#include "ui/views/InspectHeadPanel.h"
#include "ui/views/InspectOverviewPanel.h"
#include "ui/views/InspectReadouts.h"
#include "ui/views/InspectView.h"
#include "ui/widgets/BucketBarsWidget.h"
#include "ui/widgets/HeadGridWidget.h"
#include "ui/widgets/HeatmapWidget.h"
#include "ui/widgets/NeedleControls.h"
#include "ui/widgets/TokenStripWidget.h"

using namespace needlescope;

namespace {

constexpr int kWait = 30000;  // ms: the first placement loads the model, tokenizer and haystack

int needleBegin(const TokenStripWidget* strip) {
    for (const HighlightSpan& s : strip->spans())
        if (s.label == QLatin1String("needle")) return s.begin;
    return -1;
}

}  // namespace

class TestViewInspect : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    app::AppPaths paths_;
    std::vector<int64_t> runIds_;  // standard, diff

  private Q_SLOTS:
    void initTestCase() {
        const QString problem = sandbox_.initWithTrainedStore("test_view_inspect", &paths_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        runIds_ = testsupport::GuiSandbox::trainedRunIds(paths_);
        QCOMPARE(int(runIds_.size()), 2);
    }

    void emptyStore() {
        app::AppPaths none;
        none.dbPath = QDir(sandbox_.root()).filePath("missing.db");
        InspectView missing(none);
        missing.resize(1000, 700);
        missing.show();
        QVERIFY(QTest::qWaitForWindowExposed(&missing));
        QVERIFY(!missing.currentResult());
        QCOMPARE(missing.runPicker()->count(), 0);
        QVERIFY(!QFileInfo::exists(none.dbPath));  // the view never creates a store

        app::AppPaths empty;
        empty.dbPath = QDir(sandbox_.root()).filePath("empty.db");
        RunStore::open(empty.dbPath.toStdString());  // an existing store without runs
        InspectView view(empty);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.refresh();
        view.showRun(42);  // not there: a message, no crash
        QCOMPARE(view.runPicker()->count(), 0);
        QVERIFY(!view.currentResult());
    }

    void showsTheTinyPair() {
        InspectView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.runPicker()->count(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() != nullptr, kWait);
        const auto r = view.currentResult();
        QCOMPARE(view.headGrid()->layers(), int(r->layers));
        QCOMPARE(view.headGrid()->heads(), int(r->heads));
        QCOMPARE(view.heatmap()->rows(), int(r->rows));
        QCOMPARE(view.heatmap()->cols(), int(r->cols));
        QCOMPARE(view.tokenStrip()->tokenCount(), int(r->contextLength));
        QVERIFY(view.contextSlider()->maximum() <= 128);
        QCOMPARE(view.contextSlider()->value(), int(r->contextLength));
        QVERIFY(!view.needleEdit()->text().isEmpty());  // the generator's needle
        QCOMPARE(view.needleEdit()->text(), QString::fromStdString(r->needleText));
        QCOMPARE(view.bucketBars()->series().size(), 2);  // mean over heads/layers + the selected head
        // Both models are offered; the view can switch to either.
        for (int64_t id : runIds_) {
            view.showRun(id);
            QTRY_VERIFY_WITH_TIMEOUT(
                view.currentResult() && view.currentRunId() == id &&
                    view.currentResult()->kind == (id == runIds_[0] ? "standard" : "diff"),
                kWait);
        }
    }

    void depthSliderMovesNeedleAndBuckets() {
        InspectView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showRun(runIds_[1]);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() && view.currentResult()->diff, kWait);

        view.depthSlider()->setValue(0);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult()->depth == 0.0, kWait);
        const int beginAt0 = needleBegin(view.tokenStrip());
        QCOMPARE(beginAt0, 1);  // right after the sink token
        const QVector<double> barsAt0 = view.bucketBars()->series().front().values;

        view.depthSlider()->setValue(100);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult()->depth == 100.0, kWait);
        const auto r = view.currentResult();
        const int beginAt100 = needleBegin(view.tokenStrip());
        QVERIFY2(beginAt100 > beginAt0,
                 qPrintable(QString("needle at %1 then %2").arg(beginAt0).arg(beginAt100)));
        QCOMPARE(beginAt100, int(r->needle.begin));
        QCOMPARE(int(r->needle.end), int(r->question.begin));  // depth 100: the needle ends the haystack
        const QVector<double> barsAt100 = view.bucketBars()->series().front().values;
        QCOMPARE(barsAt100.size(), 4);
        QVERIFY(barsAt0 != barsAt100);
        // The heatmap outlines follow the needle too.
        bool outlined = false;
        for (const HighlightSpan& s : view.heatmap()->columnSpans())
            outlined = outlined || (s.label == QLatin1String("needle") && s.begin == beginAt100);
        QVERIFY(outlined);
    }

    void signedDiffMapUsesDivergingScale() {
        InspectView view(paths_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showRun(runIds_[1]);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() && view.currentResult()->diff, kWait);
        view.setMapKind(MapKind::Effective);
        const auto r = view.currentResult();
        // The cell that is most negative relative to its head's own range (the colour scale is ±max|v| of
        // the shown map, and sinks make that range large): show its head.
        int64_t bestL = 0, bestH = 0, bestRow = 0, bestCol = 0;
        float lowest = 0, bestRatio = 0;
        for (int64_t l = 0; l < r->layers; ++l)
            for (int64_t h = 0; h < r->heads; ++h) {
                const float* m = r->map(MapKind::Effective, l, h);
                float maxAbs = 0, low = 0;
                int64_t at = 0;
                for (int64_t i = 0; i < r->rows * r->cols; ++i) {
                    maxAbs = std::max(maxAbs, std::fabs(m[i]));
                    if (m[i] < low) low = m[i], at = i;
                }
                if (maxAbs > 0 && -low / maxAbs > bestRatio)
                    bestRatio = -low / maxAbs, lowest = low, bestL = l, bestH = h, bestRow = at / r->cols,
                    bestCol = at % r->cols;
            }
        qInfo(
            "most negative cell: layer %lld head %lld row %lld col %lld value %g (%.0f %% of the map's max "
            "|v|)",
            (long long)bestL, (long long)bestH, (long long)bestRow, (long long)bestCol, double(lowest),
            100.0 * bestRatio);
        QVERIFY2(lowest < 0, "a DIFF effective map has negative cells");
        view.selectHead(int(bestL), int(bestH));
        QCOMPARE(view.selectedLayer(), int(bestL));
        QCOMPARE(view.selectedHead(), int(bestH));
        HeatmapWidget* map = view.heatmap();
        QCOMPARE(map->scaleMode(), ColorScale::Mode::Diverging);
        QCOMPARE(map->colorScale().minimum(), -map->colorScale().maximum());  // centred on 0
        QCOMPARE(map->value(int(bestRow), int(bestCol)), lowest);
        // Linear scale: blue-ish even when faint (the sink sets the range).
        const QColor cell = map->cellColor(int(bestRow), int(bestCol));
        const QColor expected = map->colorScale().color(lowest);
        QVERIFY2(std::abs(cell.red() - expected.red()) <= 2 && std::abs(cell.blue() - expected.blue()) <= 2,
                 qPrintable(cell.name() + " vs " + expected.name()));
        QVERIFY2(cell.blue() > cell.red(), qPrintable(cell.name()));
        const QRect rect = map->cellRect(int(bestRow), int(bestCol));
        QVERIFY(!rect.isEmpty());
        QColor pixel = map->grab().toImage().pixelColor(rect.center());
        QVERIFY2(pixel.blue() > pixel.red(), qPrintable(pixel.name()));
        // The log colour scale makes it plainly blue; 0 stays white.
        view.symLogBox()->setChecked(true);
        QVERIFY(map->colorScale().symLogWidth() > 0);
        const QColor strong = map->cellColor(int(bestRow), int(bestCol));
        QVERIFY2(strong.blue() > strong.red() + 25, qPrintable(strong.name()));
        pixel = map->grab().toImage().pixelColor(rect.center());
        QVERIFY2(pixel.blue() > pixel.red() + 25, qPrintable(pixel.name()));
        QCOMPARE(map->colorScale().color(0.0f), QColor(255, 255, 255));
        // A1 is a softmax map: sequential.
        view.setMapKind(MapKind::A1);
        QCOMPARE(map->scaleMode(), ColorScale::Mode::Sequential);
        QVERIFY(map->colorScale().minimum() >= 0);
        view.setMapKind(MapKind::Effective);
        QCOMPARE(map->scaleMode(), ColorScale::Mode::Diverging);
        testsupport::saveScreenshot(&view, QStringLiteral("inspect-view-diff"));
        // The standard model's map is sequential.
        view.showRun(runIds_[0]);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() && !view.currentResult()->diff, kWait);
        QCOMPARE(view.heatmap()->scaleMode(), ColorScale::Mode::Sequential);
        const QString path = testsupport::saveScreenshot(&view, QStringLiteral("inspect-view"));
        QVERIFY2(!path.isEmpty(), "screenshot saved");
    }

    void refreshKeepsThePlacement() {
        // The main window refreshes every view when runs change (e.g. during training): the run, head and
        // placement on screen stay, and nothing is recomputed when the run did not change.
        InspectView view(paths_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showRun(runIds_[0]);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() && view.currentRunId() == runIds_[0], kWait);
        view.depthSlider()->setValue(25);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult()->depth == 25.0, kWait);
        view.selectHead(0, 1);
        const auto before = view.currentResult();
        const int completed = view.worker()->completedCount();
        view.refresh();
        QTest::qWait(100);
        QCOMPARE(view.currentRunId(), qint64(runIds_[0]));
        QCOMPARE(view.currentResult(), before);
        QCOMPARE(view.worker()->completedCount(), completed);
        QCOMPARE(view.selectedLayer(), 0);
        QCOMPARE(view.selectedHead(), 1);
        QCOMPARE(view.depthSlider()->value(), 25);
    }

    void workerDeliversOnlyTheLatest() {
        RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
        const RunSource source = readRunSource(store, runIds_[1], paths_);
        InspectWorker worker;
        QSignalSpy spy(&worker, &InspectWorker::finished);
        quint64 last = 0;
        for (int depth = 0; depth <= 100; depth += 10) {
            InspectionRequest request = requestFor(source, int(source.steps.size()) - 1);
            request.depth = depth;
            last = worker.request({request});
        }
        QVERIFY(worker.isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!worker.isBusy(), kWait);
        QTest::qWait(50);
        QCOMPARE(spy.count(), 1);
        const InspectOutcome outcome = spy.front().front().value<InspectOutcome>();
        QCOMPARE(outcome.id, last);
        QCOMPARE(outcome.entries.size(), 1);
        QVERIFY(outcome.entries.front().result);
        QCOMPARE(outcome.entries.front().result->depth, 100.0);
        QCOMPARE(worker.droppedCount(), 10);  // the other ten never reach the view
        // An error comes back as a message.
        InspectionRequest bad = requestFor(source, 0);
        bad.contextLength = 100000;
        worker.request({bad});
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 2, kWait);
        const InspectOutcome failed = spy.back().front().value<InspectOutcome>();
        QVERIFY(!failed.entries.front().result);
        QVERIFY(failed.entries.front().error.contains(QStringLiteral("longer than the model's maximum")));
    }

    void tinyRunOpensWithTheModelsLimits() {
        // Issue 12 point 1: Inspect on a tiny run opens without an error, on the newest run and its latest
        // checkpoint, and its context slider's range is exactly what the model accepts.
        InspectView view(paths_);
        view.resize(1024, 640);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() != nullptr, kWait);
        QCOMPARE(view.currentRunId(), qint64(runIds_[1]));  // the newest run
        QCOMPARE(view.checkpointPicker()->currentIndex(), view.checkpointPicker()->count() - 1);
        QVERIFY(view.errorText().isEmpty());
        const auto r = view.currentResult();
        QCOMPARE(r->maxContext, int64_t(128));
        QVERIFY(r->maxPromptLength < 128 && r->minPromptLength < r->maxPromptLength);
        QCOMPARE(view.contextSlider()->minimum(), int(r->minPromptLength));
        QCOMPARE(view.contextSlider()->maximum(), int(r->maxPromptLength));
        // Both ends of the slider work.
        for (int end : {view.contextSlider()->minimum(), view.contextSlider()->maximum()}) {
            view.contextSlider()->setValue(end);
            QTRY_VERIFY_WITH_TIMEOUT(view.currentResult()->contextLength == end, kWait);
            QVERIFY(view.errorText().isEmpty());
        }
    }

    void newCheckpointsAreShownUnlessOneWasPicked() {
        // Issue 12 point 10: after a resumed run writes new checkpoints, Inspect shows the newest, unless
        // the user picked an older one.
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("checkpoints", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto db = sqlite::Database::open(paths.dbPath.toStdString(), 0x00000002);
        db.exec(
            "CREATE TABLE saved AS SELECT * FROM checkpoints WHERE step = 30;"
            "DELETE FROM checkpoints WHERE step = 30;");
        InspectView view(paths);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() != nullptr, kWait);
        QCOMPARE(view.checkpointPicker()->currentText(), QStringLiteral("step 20"));
        db.exec("INSERT INTO checkpoints SELECT * FROM saved;");
        view.refresh();
        QCOMPARE(view.checkpointPicker()->currentText(), QStringLiteral("step 30"));
        // Picked by hand: kept when more arrive.
        view.checkpointPicker()->setCurrentIndex(0);
        Q_EMIT view.checkpointPicker()->activated(0);
        db.exec("DELETE FROM checkpoints WHERE step = 30;");
        view.refresh();
        db.exec("INSERT INTO checkpoints SELECT * FROM saved;");
        view.refresh();
        QCOMPARE(view.checkpointPicker()->currentText(), QStringLiteral("step 10"));
    }

    void tooShortModelSaysSoOnce() {
        // Issue 12 point 1: a model whose context cannot hold a needle task is not opened on its own; shown
        // on request it says so once, plainly, with what to do, and the status bar does not repeat it.
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("short", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // The tiny preset's max_context 32 is too short for any needle.
        const qint64 shortRun = testsupport::trainExtraRun(paths, ModelKind::Standard, 32, 1);
        QVERIFY(shortRun > 0);

        InspectView view(paths);
        view.resize(1024, 640);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.runPicker()->count(), 3);
        // Opened on its own: the newest run that can be inspected.
        QTRY_VERIFY2_WITH_TIMEOUT(view.currentResult() != nullptr,
                                  qPrintable(view.emptyText() + " | " + view.errorText()), kWait);
        QCOMPARE(view.currentRunId(), qint64(runIds_[1]));
        QVERIFY(view.errorText().isEmpty());
        QVERIFY(view.runPicker()->itemText(view.runPicker()->findData(shortRun)).contains("too short"));

        QSignalSpy status(&view, &InspectView::statusMessage);
        view.showRun(shortRun);
        QTRY_VERIFY_WITH_TIMEOUT(view.emptyText().contains("too short for the needle task"), kWait);
        QVERIFY(view.emptyPage() != nullptr);
        QVERIFY2(view.emptyText().contains("maximum context of at least"), qPrintable(view.emptyText()));
        QVERIFY(view.errorText().isEmpty());
        QVERIFY(!view.needleControls()->isEnabled());
        QVERIFY(!view.currentResult());
        testsupport::saveScreenshot(&view, QStringLiteral("inspect-view-too-short-1024"), QSize(1024, 640));
        QCOMPARE(view.width(), 1024);  // the view fits a 1024-pixel-wide window
        const int messages = status.count();
        QVERIFY(messages <= 1);
        view.refresh();
        view.refresh();
        QTest::qWait(200);
        QCOMPARE(status.count(), messages);
        // Back to a run that works.
        view.showRun(runIds_[0]);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() && view.currentRunId() == runIds_[0], kWait);
        QVERIFY(view.needleControls()->isEnabled());

        // While the user works elsewhere (the view hidden behind another tab) it says nothing in the status
        // bar, though it still shows the message on its own page.
        view.hide();
        const int beforeHidden = status.count();
        view.showRun(shortRun);
        QTRY_VERIFY_WITH_TIMEOUT(view.emptyText().contains("too short for the needle task"), kWait);
        view.refresh();
        QTest::qWait(200);
        QCOMPARE(status.count(), beforeHidden);
    }

    void editedNeedleIsTheQueriedOne() {
        // Issue 12 point 7: with an edited needle and two needles, the question asks about the edited
        // needle's city.
        InspectView view(paths_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() != nullptr, kWait);
        view.needleEdit()->setText(QStringLiteral("The special magic number for Denver is 2718281."));
        Q_EMIT view.needleEdit()->textEdited(view.needleEdit()->text());
        Q_EMIT view.needleEdit()->editingFinished();
        view.needleControls()->needlesSpin()->setValue(2);
        QTRY_VERIFY_WITH_TIMEOUT(
            view.currentResult()->custom && view.currentResult()->distractors.size() == 1, kWait);
        QVERIFY(view.errorText().isEmpty());
        QVERIFY2(view.questionEdit()->text().contains("Denver"), qPrintable(view.questionEdit()->text()));
        QCOMPARE(view.currentResult()->answerText, std::string("2718281"));
    }

    void overviewReadouts() {
        // Issue 12 point 10: the hover read-out is cleared by a new placement; DIFF says why it shows half
        // the heads; all heads as map thumbnails, a click selects one.
        InspectView view(paths_);
        view.resize(1024, 640);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showRun(runIds_[1]);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() && view.currentResult()->diff, kWait);
        const QString note = view.overview()->headsNote();
        QVERIFY2(note.contains(QString::number(view.currentResult()->heads)) && note.contains("differential"),
                 qPrintable(note));
        Q_EMIT view.heatmap()->hovered(0, 0, 0.5f);
        QVERIFY(view.headPanel()->hoverText() != InspectHeadPanel::hoverHint());
        view.depthSlider()->setValue(10);
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult()->depth == 10.0, kWait);
        QCOMPARE(view.headPanel()->hoverText(), InspectHeadPanel::hoverHint());

        HeadGridWidget* grid = view.headGrid();
        QVERIFY(grid->cellColor(0, 0).isValid());  // answer attention colours
        view.overview()->mapsBox()->setChecked(true);
        const auto r = view.currentResult();
        for (int l = 0; l < r->layers; ++l)
            for (int h = 0; h < r->heads; ++h) QVERIFY(!grid->cellColor(l, h).isValid());  // thumbnails
        const int layer = int(r->layers) - 1, head = int(r->heads) - 1;
        QTest::mouseClick(grid, Qt::LeftButton, Qt::NoModifier, grid->cellRect(layer, head).center());
        QCOMPARE(view.selectedLayer(), layer);
        QCOMPARE(view.selectedHead(), head);
        testsupport::saveScreenshot(&view, QStringLiteral("inspect-view-thumbnails-1024"), QSize(1024, 640));
        view.overview()->mapsBox()->setChecked(false);
        testsupport::saveScreenshot(&view, QStringLiteral("inspect-view-1024"), QSize(1024, 640));
        // At 1024 × 640 the λ line stays on one line and every head shows its value.
        QVERIFY(view.headPanel()->lambdaLabel()->height() < 2 * view.fontMetrics().height());
        for (int l = 0; l < r->layers; ++l)
            for (int h = 0; h < r->heads; ++h) QVERIFY(!grid->cellLabel(l, h).isEmpty());
        view.overview()->mapsBox()->setChecked(true);
        view.overview()->mapsBox()->setChecked(false);
        QVERIFY(grid->cellColor(0, 0).isValid());
    }

    void blankGreedyAnswersAreExplained() {
        // Issue 12 point 10: "Greedy answer: ∅" said nothing; a blank continuation is named as such.
        InspectionResult r;
        r.answerText = "4812337";
        r.greedyTokens = {7};
        r.greedyPieces = {"\n"};
        r.greedyText = "\n";
        const QString blank = greedyAnswerText(r);
        QVERIFY2(blank.contains("blank") && blank.contains("no digits") && !blank.contains("∅"),
                 qPrintable(blank));
        r.greedyTokens = {9};
        r.greedyPieces = {" 17"};
        r.greedyText = " 17";
        QVERIFY(greedyAnswerText(r).contains("<b>17</b>"));
        r.hit = true;
        QVERIFY(greedyAnswerText(r).contains("retrieved"));
    }

    void errorsAreShownNotThrown() {
        InspectView view(paths_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY_WITH_TIMEOUT(view.currentResult() != nullptr, kWait);
        QSignalSpy status(&view, &InspectView::statusMessage);
        view.needleEdit()->setText(QStringLiteral("No digits in this needle."));
        Q_EMIT view.needleEdit()->textEdited(view.needleEdit()->text());
        Q_EMIT view.needleEdit()->editingFinished();
        QTRY_VERIFY_WITH_TIMEOUT(!view.errorText().isEmpty(), kWait);
        QVERIFY(view.errorText().contains(QStringLiteral("holds no number")));
        QVERIFY(status.count() >= 1);
    }
};

QTEST_MAIN(TestViewInspect)
#include "test_view_inspect.moc"
