// A study from the Train view: Seeds 2 on a tiny config trains two paired experiments (each seed's curves
// from step 0), probes all four runs on identical prompts, writes study.md / .csv / .json next to the run
// store, and says where; the Seeds field is locked while it runs and 1 keeps the plain experiment.
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QToolButton>
#include <QtTest/QtTest>

#include "core/store/RunStore.h"
#include "tests/gui/GuiSandbox.h"
#include "ui/views/TrainView.h"
#include "ui/workers/TrainingWorker.h"

using namespace needlescope;

class TrainStudyTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem = sandbox_.init(QStringLiteral("test_view_train_study"));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void seedsAboveOneRunTheWholeStudy() {
        const app::AppPaths paths = sandbox_.emptyStore(QStringLiteral("study"), QString());
        TrainView view(paths);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setDataFolder(sandbox_.corpus());
        view.findChild<QComboBox*>("presetCombo")->setCurrentText("tiny");
        view.findChild<QSpinBox*>("contextSpin")->setValue(128);  // room for a needle and its question
        view.findChild<QSpinBox*>("stepsSpin")->setValue(4);
        auto* seeds = view.findChild<QSpinBox*>("seedsSpin");
        QVERIFY(seeds && seeds->isEnabled());
        QCOMPARE(seeds->value(), 1);
        seeds->setValue(2);
        QVERIFY2(view.validationMessage().isEmpty(), qPrintable(view.validationMessage()));

        QSignalSpy finished(view.worker(), &TrainingWorker::finished);
        QSignalSpy messages(&view, &TrainView::statusMessage);
        QTest::mouseClick(view.findChild<QToolButton*>("startButton"), Qt::LeftButton);
        QVERIFY(view.isTraining());
        QVERIFY(!seeds->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 100000);
        QCOMPARE(finished.front().at(0).value<RunStatus>(), RunStatus::Finished);
        QVERIFY(seeds->isEnabled());

        // Two seeds × (standard, DIFF), all tagged with the study and probed.
        RunStore store = RunStore::open(paths.dbPath.toStdString());
        const auto runs = store.runs();
        QCOMPARE(runs.size(), size_t(4));
        std::string tag;
        for (const std::string& t : runs.front().tags)
            if (t.rfind("study:", 0) == 0) tag = t;
        QVERIFY(!tag.empty());
        for (const RunRecord& run : runs) {
            QVERIFY(std::find(run.tags.begin(), run.tags.end(), tag) != run.tags.end());
            QCOMPARE(run.status, RunStatus::Finished);
            QVERIFY(!store.probeRows(run.id, 4).empty());
        }

        // The report lies next to the store, and the log and status bar say where.
        const QString name = QString::fromStdString(tag.substr(6));
        const QString report = QFileInfo(paths.dbPath).absoluteDir().filePath("studies/" + name);
        for (const char* file : {"study.md", "study.csv", "study.json"})
            QVERIFY2(QFileInfo(QDir(report).filePath(file)).size() > 0, file);
        const QString log = view.findChild<QPlainTextEdit*>()->toPlainText();
        QVERIFY(log.contains("seed 2 of 2"));
        QVERIFY(log.contains(QDir(report).filePath("study.md")));
        QVERIFY(log.contains("study --analyse " + name));  // the command that rebuilds the report
        bool announced = false;
        for (const auto& m : messages) announced = announced || m.at(0).toString().contains("Study finished");
        QVERIFY(announced);
    }
};

QTEST_MAIN(TrainStudyTest)
#include "test_view_train_study.moc"
