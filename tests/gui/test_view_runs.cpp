// The Runs view over a real store: empty store, a tiny paired run, filtering, inline tags and notes
// persisting to the store, exports (CSV, JSON, PNG, SVG), the Inspect / Compare / Resume signals,
// refreshing when another connection writes, and delete with confirmation (files removed too). The context
// menu, Probe now, the config columns and grouping are in test_view_runs_actions.cpp.
#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QImage>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>

#include "core/store/RunStore.h"
#include "core/util/BlasKernel.h"
#include "tests/TestSupport.h"
#include "tests/gui/GuiSandbox.h"
#include "tests/gui/RunsViewTestSupport.h"
#include "tests/gui/Screenshot.h"
#include "ui/dialogs/SettingsDialog.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/views/ProbeNowBar.h"
#include "ui/views/RunsColumns.h"
#include "ui/views/RunsTable.h"
#include "ui/views/RunsTableModel.h"
#include "ui/views/RunsView.h"
#include "ui/widgets/ImageExport.h"
#include "ui/workers/TrainingWorker.h"

using namespace needlescope;

using namespace runstest;

class RunsViewTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    QString corpus_;
    app::AppPaths empty_, paired_;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem =
            sandbox_.initWithTrainedAndEmptyStores("test_view_runs", &corpus_, &empty_, &paired_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void showsAnEmptyStore() {
        RunsView view(empty_);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.visibleRunCount(), 0);
        QVERIFY(view.errorText().isEmpty());
        QVERIFY(!view.findChild<QPushButton*>("inspectButton")->isEnabled());
        QVERIFY(!view.findChild<QPushButton*>("compareButton")->isEnabled());
        QVERIFY(!view.findChild<QPushButton*>("deleteButton")->isEnabled());
        QVERIFY(view.findChild<QLabel*>("countLabel")->text().contains("0"));
    }

    void showsThePairedRun() {
        RunsView view(paired_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.visibleRunCount(), 2);
        QStringList kinds;
        for (const RunRow& row : view.model()->rows()) {
            kinds << row.kind;
            QCOMPARE(row.status, RunStatus::Finished);
            QCOMPARE(row.steps, qint64(30));
            QVERIFY(std::isfinite(row.bestValLoss));
            QVERIFY(row.bestValLoss > 0 && row.bestValLoss < 10);
            QVERIFY(row.name.contains(row.kind));
            QVERIFY(row.created.isValid());
        }
        kinds.sort();
        QCOMPARE(kinds, (QStringList{"diff", "standard"}));
        // Displayed columns.
        const QAbstractItemModel* m = view.table()->model();
        QCOMPARE(m->columnCount(), int(RunsTableModel::ColumnCount));
        QCOMPARE(m->headerData(RunsTableModel::BestVal, Qt::Horizontal).toString(), QString("Best val"));
        QCOMPARE(m->index(0, RunsTableModel::Status).data().toString(), QString("finished"));
        QVERIFY(!m->index(0, RunsTableModel::BestVal).data().toString().isEmpty());
    }

    void showsAnswerAndNoiseAtTheLastProbe() {
        qint64 id = 0;
        {
            RunStore store = RunStore::open(paired_.dbPath.toStdString());
            id = store.runs().front().id;
            std::vector<ProbeRow> rows;
            auto row = [&](int64_t step, double depth, int64_t head, double answer, double noise) {
                ProbeRow r;
                r.runId = id;
                r.step = step;
                r.depth = depth;
                r.contextLength = 32;
                r.head = head;
                r.signedNorm.answer = answer;
                r.signedNorm.noise = noise;
                rows.push_back(r);
            };
            row(10, 0.0, 0, 0.9, 0.9);  // an earlier probe step: ignored
            row(30, 0.0, 0, 0.2, 0.5);
            row(30, 0.0, 1, 0.4, 0.3);
            row(30, 0.5, 0, 0.6, 0.1);
            row(30, 0.5, 1, 0.8, 0.1);
            store.addProbeRows(rows);
        }
        RunsView view(paired_);
        view.show();
        const RunRow* r = view.model()->find(id);
        QVERIFY(r);
        QCOMPARE(r->probeStep, qint64(30));
        QVERIFY(std::fabs(r->answer - 0.5) < 1e-9);
        QVERIFY(std::fabs(r->noise - 0.25) < 1e-9);
        const QAbstractItemModel* m = view.table()->model();
        for (int row = 0; row < m->rowCount(); ++row) {
            const QModelIndex index = m->index(row, RunsTableModel::Answer);
            if (index.data(RunsTableModel::IdRole).toLongLong() == id) {
                QCOMPARE(index.data().toString(), QString("0.500"));
                QCOMPARE(m->index(row, RunsTableModel::Noise).data().toString(), QString("0.250"));
            } else {
                QCOMPARE(index.data().toString(), QString::fromUtf8("—"));  // never probed
            }
        }
    }

    void filterNarrowsTheRows() {
        RunsView view(paired_);
        view.show();
        view.setFilterText("diff");
        QCOMPARE(view.visibleRunCount(), 1);
        QCOMPARE(view.model()->rows().front().kind, QString("diff"));
        view.setFilterText("STANDARD");  // case-insensitive
        QCOMPARE(view.visibleRunCount(), 1);
        view.setFilterText("no run is called like this");
        QCOMPARE(view.visibleRunCount(), 0);
        // Typing filters after a short pause too.
        view.findChild<QLineEdit*>("filterEdit")->setText("tiny");
        QTRY_COMPARE(view.visibleRunCount(), 2);
    }

    void tagsEditedInlinePersist() {
        RunsView view(paired_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTableView* table = view.table();
        const QModelIndex index = table->model()->index(0, RunsTableModel::Tags);
        const qint64 id = index.data(RunsTableModel::IdRole).toLongLong();
        table->setCurrentIndex(index);
        table->edit(index);
        auto* editor = qobject_cast<QLineEdit*>(table->indexWidget(index) ? table->indexWidget(index)
                                                                          : QApplication::focusWidget());
        if (!editor) editor = table->viewport()->findChild<QLineEdit*>();
        QVERIFY(editor);
        editor->setText(" baseline, tiny ,, baseline ");
        QTest::keyClick(editor, Qt::Key_Return);
        QTRY_COMPARE(view.model()->find(id)->tags, (QStringList{"baseline", "tiny"}));
        RunStore store = RunStore::open(paired_.dbPath.toStdString());
        QCOMPARE(store.run(id).tags, (std::vector<std::string>{"baseline", "tiny"}));
        QCOMPARE(view.model()->find(id)->tags, (QStringList{"baseline", "tiny"}));
        // A tag is found by the filter.
        view.setFilterText("baseline");
        QCOMPARE(view.visibleRunCount(), 1);
        // A fresh view reads them back.
        RunsView again(paired_);
        QCOMPARE(again.model()->find(id)->tags, (QStringList{"baseline", "tiny"}));
    }

    void notesPersist() {
        RunsView view(paired_);
        view.show();
        const qint64 id = view.model()->rows().back().id;
        view.selectRuns({id});
        auto* notes = view.findChild<QPlainTextEdit*>("notesEdit");
        QVERIFY(notes->isEnabled());
        notes->setPlainText("diff looks smoother\nsecond line");
        notes->document()->setModified(true);
        auto* save = view.findChild<QPushButton*>("saveNotesButton");
        QVERIFY(save->isEnabled());
        QTest::mouseClick(save, Qt::LeftButton);
        RunStore store = RunStore::open(paired_.dbPath.toStdString());
        QCOMPARE(store.run(id).notes, std::string("diff looks smoother\nsecond line"));
        // Switching runs saves unsaved notes too.
        notes->setPlainText("edited, then switched away");
        notes->document()->setModified(true);
        view.selectRuns({view.model()->rows().front().id});
        QCOMPARE(store.run(id).notes, std::string("edited, then switched away"));
    }

    void exportsTheSelection() {
        RunsView view(paired_);
        view.show();
        QVector<qint64> ids;
        for (const RunRow& r : view.model()->rows()) ids << r.id;
        view.selectRuns(ids);
        QCOMPARE(view.selectedRunIds().size(), 2);
        const QDir out(sandbox_.root());
        QString error;
        QVERIFY2(view.exportSelectionTo(out.filePath("m.csv"), &error), qPrintable(error));
        QFile csv(out.filePath("m.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray text = csv.readAll();
        QVERIFY(text.startsWith("run_id,run_name,kind,step,name,value,tokens,wall_time\n"));
        QVERIFY(text.contains("val_loss"));
        QVERIFY2(view.exportSelectionTo(out.filePath("r.json"), &error), qPrintable(error));
        QFile json(out.filePath("r.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonDocument doc = QJsonDocument::fromJson(json.readAll());
        QVERIFY(doc.isArray());
        QCOMPARE(doc.array().size(), 2);
        QVERIFY(doc.array().at(0).toObject().contains("final_metrics"));
        QVERIFY2(view.exportSelectionTo(out.filePath("loss.png"), &error), qPrintable(error));
        const QImage png(out.filePath("loss.png"));
        QVERIFY(!png.isNull());
        QVERIFY2(png.width() >= 1600, qPrintable(QString("%1 px wide").arg(png.width())));  // fit for a paper
        QVERIFY2(view.exportSelectionTo(out.filePath("loss.svg"), &error), qPrintable(error));
        QFile svg(out.filePath("loss.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QString figure = QString::fromUtf8(svg.readAll());
        QVERIFY(figure.contains("<svg"));
        // Every tick label, axis title and legend entry whole (Qt elides what it lays out too small).
        QVERIFY2(
            !figure.contains(QChar(0x2026)) && !figure.contains(QRegularExpression("\\.\\.\\.\\s*</text>")),
            "an elided text (… or ...) in the exported SVG");
        for (const char* text : {"cross-entropy (nats)", "standard train", "DIFF val", "step"})
            QVERIFY2(figure.contains(QLatin1String(text)), text);
        QVERIFY(!view.exportSelectionTo(out.filePath("x.xlsx"), &error));
        QVERIFY(error.contains("xlsx"));
        // One run as a JSON object.
        view.selectRuns({ids.front()});
        QVERIFY(view.exportSelectionTo(out.filePath("one.json"), &error));
        QFile one(out.filePath("one.json"));
        QVERIFY(one.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(one.readAll()).object().value("id").toInteger(), ids.front());
    }

    void inspectCompareAndResumeSignals() {
        RunsView view(paired_);
        view.show();
        QSignalSpy inspect(&view, &RunsView::inspectRequested);
        QSignalSpy compare(&view, &RunsView::compareRequested);
        QSignalSpy resume(&view, &RunsView::resumeRequested);
        const QVector<RunRow> rows = view.model()->rows();
        view.selectRuns({rows[0].id});
        auto* inspectButton = view.findChild<QPushButton*>("inspectButton");
        auto* compareButton = view.findChild<QPushButton*>("compareButton");
        QVERIFY(inspectButton->isEnabled());
        QTest::mouseClick(inspectButton, Qt::LeftButton);
        QCOMPARE(inspect.count(), 1);
        QCOMPARE(inspect.at(0).at(0).toLongLong(), rows[0].id);
        // One run of a pair compares the pair.
        QVERIFY(compareButton->isEnabled());
        QTest::mouseClick(compareButton, Qt::LeftButton);
        QCOMPARE(compare.count(), 1);
        QVector<qint64> pair = compare.at(0).at(0).value<QVector<qint64>>();
        std::sort(pair.begin(), pair.end());
        QVector<qint64> expected{rows[0].id, rows[1].id};
        std::sort(expected.begin(), expected.end());
        QCOMPARE(pair, expected);
        view.selectRuns({rows[0].id, rows[1].id});
        QVERIFY(!inspectButton->isEnabled());
        QTest::mouseClick(compareButton, Qt::LeftButton);
        QCOMPARE(compare.count(), 2);
        QCOMPARE(compare.at(1).at(0).value<QVector<qint64>>().size(), 2);
        // Finished runs are not resumable.
        view.selectRuns({rows[0].id});
        QVERIFY(!view.findChild<QPushButton*>("resumeButton")->isEnabled());
        view.resumeSelected();
        QCOMPARE(resume.count(), 0);
    }

    void refreshesWhenTheStoreChanges() {
        RunsView view(paired_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const qint64 id = view.model()->rows().front().id;
        {
            RunStore store = RunStore::open(paired_.dbPath.toStdString());
            store.setTags(id, {"from-elsewhere"});
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            view.model()->find(id) && view.model()->find(id)->tags.contains("from-elsewhere"), 6000);
    }

    void deleteAsksAndRemovesRunsAndFiles() {
        RunsView view(paired_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy changed(&view, &RunsView::runsChanged);
        const QVector<RunRow> rows = view.model()->rows();
        QCOMPARE(rows.size(), 2);
        const int filesBefore = countFiles(paired_.checkpointDir);
        QVERIFY(filesBefore > 0);

        // Cancel keeps everything.
        view.selectRuns({rows[0].id});
        answerNextMessageBox(QMessageBox::Cancel);
        QTest::mouseClick(view.findChild<QPushButton*>("deleteButton"), Qt::LeftButton);
        QCOMPARE(view.visibleRunCount(), 2);
        QCOMPARE(changed.count(), 0);

        // Confirmed: the run, its rows and its checkpoint files go.
        view.selectRuns({rows[0].id});
        answerNextMessageBox(QMessageBox::Yes);
        QTest::mouseClick(view.findChild<QPushButton*>("deleteButton"), Qt::LeftButton);
        QCOMPARE(view.visibleRunCount(), 1);
        QCOMPARE(changed.count(), 1);
        QVERIFY(countFiles(paired_.checkpointDir) < filesBefore);
        {
            RunStore store = RunStore::open(paired_.dbPath.toStdString());
            QCOMPARE(store.runs().size(), size_t(1));
            QVERIFY(store.checkpoints(rows[1].id).size() > 0);  // the other run keeps its checkpoints
        }

        // The last run of the group takes the group folder with it.
        view.selectRuns({rows[1].id});
        answerNextMessageBox(QMessageBox::Yes);
        view.deleteSelectedRuns();
        QCOMPARE(view.visibleRunCount(), 0);
        QCOMPARE(countFiles(paired_.checkpointDir), 0);
        RunStore store = RunStore::open(paired_.dbPath.toStdString());
        QVERIFY(store.runs().empty());
    }
};

// As the app does: passive OpenMP waits (a restart before QApplication), else training crawls on busy cores.
int main(int argc, char** argv) {
    needlescope::prepareProcess(argv);
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    RunsViewTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_view_runs.moc"
