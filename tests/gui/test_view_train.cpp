// The Train view: constructs with an empty store and beside a stored paired run, validates the config
// inline, shows and applies the learning-rate schedule, detects the data folder, and drives a real `tiny`
// experiment from the UI: progress signals, curves gaining points, λ per layer, Stop within a second, the run
// in the Runs view, and resume.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest/QtTest>
#include <cmath>

#include "core/store/RunStore.h"
#include "core/util/BlasKernel.h"
#include "tests/TestSupport.h"
#include "tests/gui/GuiSandbox.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/dialogs/SettingsDialog.h"
#include "ui/style/Palette.h"
#include "ui/views/RunsTableModel.h"
#include "ui/views/RunsView.h"
#include "ui/views/TrainView.h"
#include "ui/workers/TrainingWorker.h"

using namespace needlescope;

namespace {

QToolButton* button(QWidget& view, const char* name) { return view.findChild<QToolButton*>(name); }

}  // namespace

class TrainViewTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    QString corpus_;
    app::AppPaths empty_, paired_;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem =
            sandbox_.initWithTrainedAndEmptyStores("test_view_train", &corpus_, &empty_, &paired_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void constructsWithAnEmptyStore() {
        TrainView view(empty_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto* presets = view.findChild<QComboBox*>("presetCombo");
        QVERIFY(presets);
        QVERIFY(presets->count() >= 2);
        QVERIFY(presets->findText("tiny") >= 0);
        QVERIFY(view.chart()->seriesNames().isEmpty());
        QVERIFY(!view.isTraining());
        QCOMPARE(view.dataFolder(), corpus_);  // the --data flag wins
        QVERIFY(view.startAction()->isEnabled());
        QVERIFY(!view.pauseAction()->isEnabled());
        QVERIFY(!view.stopAction()->isEnabled());
        QCOMPARE(view.startAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_R));
        QCOMPARE(view.pauseAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_P));
        QCOMPARE(view.stopAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Period));
    }

    void constructsBesideAStoredPairedRun() {
        TrainView view(paired_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.selectPreset("tiny");
        QVERIFY(view.validationMessage().isEmpty());
        const TrainConfig c = view.currentConfig();
        QCOMPARE(c.model.dModel, int64_t(32));
        QCOMPARE(c.kinds.size(), size_t(2));
    }

    void chartOptionsPersist() {
        {
            TrainView view(empty_);
            view.chart()->setLogY(true);
            view.chart()->setXAxis(LossXAxis::Tokens);
            view.chart()->setSmoothing(0.8);
        }
        TrainView again(empty_);
        QVERIFY(again.chart()->logY());
        QCOMPARE(again.chart()->xAxis(), LossXAxis::Tokens);
        QCOMPARE(again.chart()->smoothing(), 0.8);
        again.chart()->setLogY(false);
        again.chart()->setXAxis(LossXAxis::Steps);
        again.chart()->setSmoothing(0.6);
    }

    void invalidConfigIsExplainedInline() {
        TrainView view(empty_);
        view.show();
        view.selectPreset("tiny");
        auto* error = view.findChild<QLabel*>("errorLabel");
        QVERIFY(error && error->isHidden());
        // 4 heads of a 30-wide model: d_model must divide by the heads.
        auto* dModel = view.findChild<QSpinBox*>("dModelSpin");
        QVERIFY(dModel);
        QCOMPARE(dModel->value(), 32);
        dModel->setValue(30);
        QVERIFY(!view.validationMessage().isEmpty());
        QVERIFY(error->isVisible());
        QVERIFY(error->text().contains(view.validationMessage()));
        QVERIFY(!view.startAction()->isEnabled());
        dModel->setValue(32);
        QVERIFY(view.validationMessage().isEmpty());
        QVERIFY(view.startAction()->isEnabled());
        // No model at all.
        view.findChild<QCheckBox*>("standardBox")->setChecked(false);
        view.findChild<QCheckBox*>("diffBox")->setChecked(false);
        QVERIFY(view.validationMessage().contains("model"));
        QVERIFY(!view.startAction()->isEnabled());
    }

    void scheduleFollowsThePresetAndCanBeChosen() {
        TrainView view(empty_);
        view.show();
        auto* schedule = view.findChild<QComboBox*>("scheduleCombo");
        QVERIFY(schedule);
        QVERIFY(schedule->isEnabled());
        view.selectPreset("needle");  // WSD in its preset file
        QCOMPARE(schedule->currentData().toString(), QString("wsd"));
        QCOMPARE(view.currentConfig().optimizer.schedule, std::string("wsd"));
        view.selectPreset("tiny");  // cosine
        QCOMPARE(schedule->currentData().toString(), QString("cosine"));
        QCOMPARE(view.currentConfig().optimizer.schedule, std::string("cosine"));
        // The user's choice is what trains.
        schedule->setCurrentIndex(schedule->findData(QString("wsd")));
        QCOMPARE(view.currentConfig().optimizer.schedule, std::string("wsd"));
        QVERIFY(view.validationMessage().isEmpty());
        view.selectPreset("tiny");  // choosing the preset again restores its schedule
        QCOMPARE(view.currentConfig().optimizer.schedule, std::string("cosine"));
    }

    void dataFolderIsDetected() {
        TrainView view(empty_);
        view.show();
        auto* info = view.findChild<QLabel*>("dataInfo");
        QVERIFY(info);
        view.setDataFolder(corpus_);
        QVERIFY2(info->text().startsWith(QString::fromUtf8("✓")), qPrintable(info->text()));
        view.setDataFolder(QDir(sandbox_.root()).filePath("no-such-folder"));
        QVERIFY(!info->text().startsWith(QString::fromUtf8("✓")));
        QVERIFY2(info->text().contains("no-such-folder"), qPrintable(info->text()));
        // Start refuses with the message from core, nothing runs.
        QSignalSpy status(&view, &TrainView::statusMessage);
        view.start();
        QVERIFY(!view.isTraining());
        QVERIFY(view.findChild<QLabel*>("errorLabel")->isVisible());
        QVERIFY(status.count() >= 1);
    }

    // Issue 12 point 8: a corpus without a train split is an error naming the missing file, never a ✓.
    void dataFolderWithoutATrainSplitBlocksStart() {
        const QString dir = QDir(sandbox_.root()).filePath("valid-only");
        QVERIFY(QDir().mkpath(dir));
        for (const char* name : {"wiki.valid.raw", "wiki.test.raw"}) {
            QFile f(QDir(dir).filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(" = Valkyria = \n\n Some text for the split . \n");
        }
        TrainView view(empty_);
        view.show();
        view.selectPreset("tiny");
        view.setDataFolder(dir);
        auto* info = view.findChild<QLabel*>("dataInfo");
        QVERIFY2(!info->text().contains(QString::fromUtf8("✓")), qPrintable(info->text()));
        QVERIFY2(info->text().contains("wiki.train.raw"), qPrintable(info->text()));
        QVERIFY(info->styleSheet().contains(errorColor().name()));
        QVERIFY2(view.validationMessage().contains("train"), qPrintable(view.validationMessage()));
        QVERIFY(!view.startAction()->isEnabled());
        view.start();
        QVERIFY(!view.isTraining());
        // A usable folder enables Start again.
        view.setDataFolder(corpus_);
        QVERIFY(view.validationMessage().isEmpty());
        QVERIFY(view.startAction()->isEnabled());

        // Settings' live check says the same.
        SettingsDialog dialog;
        dialog.setDataFolder(dir);
        auto* settingsInfo = dialog.findChild<QLabel*>("dataInfo");
        QVERIFY(settingsInfo);
        QVERIFY2(settingsInfo->text().contains("wiki.train.raw"), qPrintable(settingsInfo->text()));
        QVERIFY(!settingsInfo->text().contains(QString::fromUtf8("✓")));
        QVERIFY(settingsInfo->styleSheet().contains(errorColor().name()));
        dialog.setDataFolder(corpus_);
        QVERIFY(settingsInfo->text().startsWith(QString::fromUtf8("✓")));
    }

    // Issue 12 point 9: what the user types stays, is shown red with the valid range, and blocks Start.
    void badInputIsShownNotRewritten() {
        TrainView view(empty_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.selectPreset("tiny");
        QVERIFY(view.startAction()->isEnabled());
        auto* layers = view.findChild<QSpinBox*>("layersSpin");
        QVERIFY(layers);
        layers->setFocus();
        QTest::keyClick(layers, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(layers, "0");
        QCOMPARE(layers->text(), QString("0"));
        QVERIFY2(view.validationMessage().contains("Layers must be a whole number from 1 to 128"),
                 qPrintable(view.validationMessage()));
        QVERIFY(!view.startAction()->isEnabled());
        QCOMPARE(layers->palette().color(QPalette::Text), errorColor());
        QVERIFY(layers->toolTip().contains("1 to 128"));
        // Leaving the field keeps what was typed.
        auto* lr = view.findChild<QLineEdit*>("lrEdit");
        lr->setFocus();
        QCOMPARE(layers->text(), QString("0"));
        QVERIFY(!view.startAction()->isEnabled());
        // An emptied field is explained too.
        layers->setFocus();
        QTest::keyClick(layers, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(layers, Qt::Key_Backspace);
        QVERIFY2(view.validationMessage().contains("Layers") && view.validationMessage().contains("empty"),
                 qPrintable(view.validationMessage()));
        // Leaving it empty keeps it empty (no silent revert to the last value) and Start stays off.
        lr->setFocus();
        QTRY_VERIFY(lr->hasFocus());  // the spin box had its focus-out
        QCOMPARE(layers->text(), QString());
        QVERIFY(view.validationMessage().contains("Layers"));
        QVERIFY(!view.startAction()->isEnabled());
        layers->setFocus();
        QTest::keyClick(layers, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(layers, "2");
        QVERIFY(view.validationMessage().isEmpty());
        QVERIFY(layers->palette().color(QPalette::Text) != errorColor());
        QVERIFY(view.startAction()->isEnabled());

        // LR: letters and negative numbers stay as typed and are explained.
        for (const char* bad : {"abc", "-1", "0", "11"}) {
            lr->setFocus();
            lr->selectAll();
            QTest::keyClicks(lr, bad);
            QCOMPARE(lr->text(), QString(bad));
            QVERIFY2(view.validationMessage().contains("LR must be a number above 0 and at most 10"),
                     qPrintable(view.validationMessage()));
            QVERIFY(!view.startAction()->isEnabled());
            QCOMPARE(view.currentConfig().optimizer.lr, 3e-3);  // never a silently changed rate
        }
        lr->selectAll();
        QTest::keyClicks(lr, "3e-4");
        QVERIFY(view.validationMessage().isEmpty());
        QCOMPARE(view.currentConfig().optimizer.lr, 3e-4);

        // Vocab below the 256 byte pieces + specials is named with its range, like every field.
        auto* vocab = view.findChild<QSpinBox*>("vocabSpin");
        vocab->setValue(5);
        QCOMPARE(vocab->value(), 5);
        QVERIFY2(view.validationMessage().contains("Vocab must be a whole number from 260"),
                 qPrintable(view.validationMessage()));
        // The arrows stay within the range.
        vocab->setValue(260);
        vocab->stepDown();
        QCOMPARE(vocab->value(), 260);
        QVERIFY(view.validationMessage().isEmpty());
    }

    // Intervals and a warm-up longer than the run are allowed, with an amber warning.
    void longIntervalsWarnButAllowStart() {
        TrainView view(empty_);
        view.show();
        view.selectPreset("tiny");  // 30 steps
        auto* warning = view.findChild<QLabel*>("warningLabel");
        QVERIFY(warning && warning->isHidden());
        view.findChild<QSpinBox*>("warmupSpin")->setValue(40);
        QVERIFY(warning->isVisible());
        QVERIFY2(warning->text().contains("Warm-up"), qPrintable(warning->text()));
        QVERIFY(warning->styleSheet().contains(warningColor().name()));
        QVERIFY(view.validationMessage().isEmpty());
        QVERIFY(view.startAction()->isEnabled());
        view.findChild<QSpinBox*>("warmupSpin")->setValue(5);
        QVERIFY(warning->isHidden());
        for (const char* name : {"evalEverySpin", "checkpointEverySpin", "probeEverySpin"}) {
            auto* spin = view.findChild<QSpinBox*>(name);
            const int before = spin->value();
            spin->setValue(31);
            QVERIFY2(warning->isVisible() && warning->text().contains("longer than the run"), name);
            QVERIFY(view.startAction()->isEnabled());
            spin->setValue(before);
            QVERIFY2(warning->isHidden(), name);
        }
    }

    void trainsFromTheUiAndStopsWithinASecond() {
        const app::AppPaths paths = sandbox_.emptyStore("live", QString());
        TrainView view(paths);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setDataFolder(corpus_);
        view.findChild<QComboBox*>("presetCombo")->setCurrentText("tiny");
        view.findChild<QSpinBox*>("stepsSpin")->setValue(100000);  // still running when Stop is pressed
        QVERIFY(view.validationMessage().isEmpty());

        QSignalSpy progress(&view, &TrainView::progressChanged);
        QSignalSpy workerProgress(view.worker(), &TrainingWorker::progress);
        QSignalSpy runsChanged(&view, &TrainView::runsChanged);
        QSignalSpy finished(view.worker(), &TrainingWorker::finished);
        QToolButton* start = button(view, "startButton");
        QVERIFY(start && start->isEnabled());
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(view.isTraining());
        QVERIFY(!view.startAction()->isEnabled());
        QVERIFY(view.stopAction()->isEnabled());

        // Curves gain points while the window stays responsive.
        QTRY_VERIFY_WITH_TIMEOUT(view.chart()->pointCount("diff train") >= 20, 60000);
        QVERIFY(view.chart()->pointCount("standard train") >= 20);
        QTRY_VERIFY_WITH_TIMEOUT(view.chart()->displayedPointCount("standard train") > 0, 2000);
        QTRY_VERIFY_WITH_TIMEOUT(view.chart()->pointCount("diff val") >= 1, 30000);  // eval every 10 steps
        QVERIFY(workerProgress.count() >= 1);
        QVERIFY(progress.count() >= 1);
        QVERIFY(runsChanged.count() >= 1);  // the runs exist as soon as training starts
        const TrainingProgress last = workerProgress.last().at(0).value<TrainingProgress>();
        QCOMPARE(last.totalSteps, qint64(100000));
        QVERIFY(last.step > 0);
        auto* lambdas = view.findChild<QTableWidget*>("lambdaTable");
        QTRY_COMPARE(lambdas->rowCount(), 2);                             // tiny has 2 layers
        QTRY_VERIFY(lambdas->item(0, 1)->text() != QStringLiteral("—"));  // DIFF's λ
        QVERIFY(std::isfinite(lambdas->item(0, 1)->text().toDouble()));
        QCOMPARE(lambdas->item(0, 3)->text(), QStringLiteral("—"));  // no DIFF V2 in this run
        QVERIFY(view.findChild<QLabel*>("stepValue")->text().contains("100"));

        // Pause holds the step count, Resume continues.
        QTest::mouseClick(button(view, "pauseButton"), Qt::LeftButton);
        QVERIFY(view.isPaused());
        // One toggle: the same button (and Ctrl+P) now reads Resume.
        QVERIFY(view.pauseAction()->isEnabled());
        QCOMPARE(view.pauseAction()->text().remove('&'), QString("Resume"));
        // The step in flight finishes, then nothing more arrives.
        int pausedAt = -1;
        QElapsedTimer settle;
        settle.start();
        while (pausedAt < 0 && settle.elapsed() < 10000) {
            const int before = view.chart()->pointCount("standard train");
            QTest::qWait(400);
            if (view.chart()->pointCount("standard train") == before) pausedAt = before;
        }
        QVERIFY(pausedAt > 0);
        QTest::qWait(500);
        QCOMPARE(view.chart()->pointCount("standard train"), pausedAt);
        QTest::keyClick(&view, Qt::Key_P, Qt::ControlModifier);
        QVERIFY(!view.isPaused());
        QCOMPARE(view.pauseAction()->text().remove('&'), QString("Pause"));
        QTRY_VERIFY_WITH_TIMEOUT(view.chart()->pointCount("standard train") > pausedAt, 10000);

        // Stop takes effect within a second.
        QElapsedTimer clock;
        clock.start();
        QTest::mouseClick(button(view, "stopButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        const qint64 ms = clock.elapsed();
        QVERIFY2(ms < 1000, qPrintable(QString("stop took %1 ms").arg(ms)));
        qInfo("Stop -> finished in %lld ms", ms);
        QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Interrupted);
        QVERIFY(!view.isTraining());
        QVERIFY(view.startAction()->isEnabled());
        QVERIFY(runsChanged.count() >= 2);
        QCOMPARE(progress.last().at(1).toInt(), -1);  // idle again
        // Nothing is left to estimate once stopped.
        QCOMPARE(view.findChild<QLabel*>("etaValue")->text(), QString::fromUtf8("—"));

        // The runs appear in the Runs view, interrupted (resumable).
        RunsView runs(paths);
        runs.refresh();
        QCOMPARE(runs.visibleRunCount(), 2);
        for (const RunRow& row : runs.model()->rows()) {
            QCOMPARE(row.status, RunStatus::Interrupted);
            QVERIFY(row.steps > 0);
        }
    }

    void resumesAnInterruptedRunWithItsHistory() {
        const app::AppPaths paths = sandbox_.emptyStore("live", QString());
        qint64 runId = 0;
        qint64 stoppedAt = 0;
        {
            RunStore store = RunStore::open(paths.dbPath.toStdString());
            const auto runs = store.runs();
            QCOMPARE(runs.size(), size_t(2));
            runId = runs.front().id;
            stoppedAt = runs.front().lastStep;
        }
        TrainView view(paths);
        view.show();
        QSignalSpy finished(view.worker(), &TrainingWorker::finished);
        auto* steps = view.findChild<QSpinBox*>("stepsSpin");
        steps->setValue(77);
        view.resumeRun(runId);
        QVERIFY(view.isTraining());
        // The locked form shows the resumed run's own config (it was started with 100000 steps).
        QCOMPARE(steps->value(), 100000);
        QVERIFY(!steps->isEnabled());
        // The earlier curve is loaded from the store, then new steps arrive after it.
        QTRY_VERIFY_WITH_TIMEOUT(view.chart()->pointCount("standard train") >= 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(view.findChild<QLabel*>("stepValue")->text() != QString::fromUtf8("—"),
                                 30000);
        view.stop();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        QCOMPARE(finished.at(0).at(0).value<RunStatus>(), RunStatus::Interrupted);
        RunStore store = RunStore::open(paths.dbPath.toStdString());
        QVERIFY(store.run(runId).lastStep >= stoppedAt);
        // Afterwards the user's own values are back and editable.
        QCOMPARE(steps->value(), 77);
        QVERIFY(steps->isEnabled());
    }

    void destroyingTheViewStopsTraining() {
        const app::AppPaths paths = sandbox_.emptyStore("closing");
        auto* view = new TrainView(paths);
        view->selectPreset("tiny");
        view->findChild<QSpinBox*>("stepsSpin")->setValue(100000);
        view->start();
        QVERIFY(view->isTraining());
        QTRY_VERIFY_WITH_TIMEOUT(view->chart()->pointCount("standard train") >= 2, 60000);
        QElapsedTimer clock;
        clock.start();
        delete view;  // stops (resumable) and joins the thread
        QVERIFY(clock.elapsed() < 2000);
        RunStore store = RunStore::open(paths.dbPath.toStdString());
        for (const RunRecord& r : store.runs()) QCOMPARE(statusName(r.status), std::string("interrupted"));
    }
};

// As the app does: passive OpenMP waits (a restart before QApplication), else training crawls on busy cores.
int main(int argc, char** argv) {
    needlescope::prepareProcess(argv);
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    TrainViewTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_view_train.moc"
