// The Runs view over a real store: empty store, a tiny paired run, filtering, inline tags and notes
// persisting to the store, exports (CSV, JSON, PNG, SVG) and the export folder remembered, the Inspect /
// Compare / Resume signals, the context menu, "Probe now" (stored and shown; cancel stores nothing), the
// config columns (shown / hidden and kept), grouping, refreshing when another connection writes, and
// delete with confirmation (files removed too).
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

namespace {

int countFiles(const QString& dir) {
    int n = 0;
    for (QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories); it.hasNext(); it.next()) ++n;
    return n;
}

// Answers the next modal message box with `button` as soon as it is shown.
void answerNextMessageBox(QMessageBox::StandardButton button) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, button] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            QTest::mouseClick(box->button(button), Qt::LeftButton);
        }
    });
    timer->start();
}

// Runs `act` on the next modal widget of type T as soon as it is shown.
template <typename T, typename F>
void actOnNextModal(F act) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, act] {
        if (auto* dialog = qobject_cast<T*>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            act(dialog);
        }
    });
    timer->start();
}

QAction* menuAction(QMenu* menu, const char* name) {
    for (QAction* a : menu->actions())
        if (a->objectName() == QLatin1String(name)) return a;
    return nullptr;
}

ProbeSettings smallGrid() {
    ProbeSettings s;
    s.depths = {0, 100};
    s.samples = 1;
    return s;
}

}  // namespace

class RunsViewTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    QString corpus_;
    app::AppPaths empty_, paired_;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem = sandbox_.initWithTrainedStore("test_view_runs", &paired_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        corpus_ = sandbox_.corpus();
        empty_ = sandbox_.emptyStore("empty");
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

    void contextMenuOffersEveryAction() {
        RunsView view(paired_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy inspect(&view, &RunsView::inspectRequested);
        QSignalSpy compare(&view, &RunsView::compareRequested);
        const QVector<RunRow> rows = view.model()->rows();
        view.selectRuns({rows[0].id});
        std::unique_ptr<QMenu> menu(view.makeContextMenu(&view));
        for (const char* name : {"editTagsAction", "editNoteAction", "inspectAction", "compareAction",
                                 "probeAction", "exportAction", "deleteAction"}) {
            QAction* action = menuAction(menu.get(), name);
            QVERIFY2(action, name);
            QVERIFY2(action->isEnabled(), name);
        }
        menuAction(menu.get(), "inspectAction")->trigger();
        QCOMPARE(inspect.count(), 1);
        QCOMPARE(inspect.at(0).at(0).toLongLong(), rows[0].id);
        menuAction(menu.get(), "compareAction")->trigger();
        QCOMPARE(compare.count(), 1);
        QCOMPARE(compare.at(0).at(0).value<QVector<qint64>>().size(), 2);  // the run with its pair
        // Two runs: no single run to edit or inspect.
        view.selectRuns({rows[0].id, rows[1].id});
        menu.reset(view.makeContextMenu(&view));
        QVERIFY(!menuAction(menu.get(), "editTagsAction")->isEnabled());
        QVERIFY(!menuAction(menu.get(), "editNoteAction")->isEnabled());
        QVERIFY(!menuAction(menu.get(), "inspectAction")->isEnabled());
        QVERIFY(menuAction(menu.get(), "probeAction")->isEnabled());
        // Nothing selected: nothing to act on.
        view.selectRuns({});
        menu.reset(view.makeContextMenu(&view));
        QVERIFY(!menuAction(menu.get(), "deleteAction")->isEnabled());
        QVERIFY(!menuAction(menu.get(), "probeAction")->isEnabled());
        QVERIFY(!menuAction(menu.get(), "exportAction")->isEnabled());
    }

    void contextMenuEditsTagsAndNotes() {
        RunsView view(paired_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const qint64 id = view.model()->rows().front().id;
        view.selectRuns({id});
        std::unique_ptr<QMenu> menu(view.makeContextMenu(&view));
        menuAction(menu.get(), "editTagsAction")->trigger();
        auto* table = qobject_cast<RunsTable*>(view.table());
        QVERIFY(table && table->editing());
        QCOMPARE(view.table()->currentIndex().column(), int(RunsTableModel::Tags));
        QCOMPARE(view.table()->currentIndex().data(RunsTableModel::IdRole).toLongLong(), id);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QVERIFY(!table->editing());

        actOnNextModal<QInputDialog>([](QInputDialog* dialog) {
            dialog->setTextValue(QStringLiteral("from the context menu"));
            dialog->accept();
        });
        menu.reset(view.makeContextMenu(&view));
        menuAction(menu.get(), "editNoteAction")->trigger();
        QCOMPARE(view.model()->find(id)->notes, QString("from the context menu"));
        QCOMPARE(RunStore::open(paired_.dbPath.toStdString()).run(id).notes,
                 std::string("from the context menu"));
        QCOMPARE(view.findChild<QPlainTextEdit*>("notesEdit")->toPlainText(),
                 QString("from the context menu"));
        // Unsaved edits in the side panel start the dialog, so none are lost.
        auto* panel = view.findChild<QPlainTextEdit*>("notesEdit");
        panel->setPlainText("typed in the panel, not saved");
        panel->document()->setModified(true);
        QString offered;
        actOnNextModal<QInputDialog>([&offered](QInputDialog* dialog) {
            offered = dialog->textValue();
            dialog->setTextValue(offered + " then edited");
            dialog->accept();
        });
        menu.reset(view.makeContextMenu(&view));
        menuAction(menu.get(), "editNoteAction")->trigger();
        QCOMPARE(offered, QString("typed in the panel, not saved"));
        QCOMPARE(RunStore::open(paired_.dbPath.toStdString()).run(id).notes,
                 std::string("typed in the panel, not saved then edited"));
        QCOMPARE(panel->toPlainText(), QString("typed in the panel, not saved then edited"));
        QVERIFY(!panel->document()->isModified());
    }

    void probeNowStoresAndShowsTheProbe() {
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("probe-now", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        RunsView view(paths);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy changed(&view, &RunsView::runsChanged);
        QVector<qint64> ids;
        for (const RunRow& r : view.model()->rows()) {
            QCOMPARE(r.probeStep, qint64(0));  // tiny trains without probing
            ids << r.id;
        }
        std::sort(ids.begin(), ids.end());
        view.selectRuns({ids.front()});
        QCOMPARE(view.probeTargets(), ids);  // one model of a pair probes both
        view.probeBar()->setSettings(smallGrid());
        QSignalSpy ended(view.probeBar(), &ProbeNowBar::probeEnded);
        std::unique_ptr<QMenu> menu(view.makeContextMenu(&view));
        menuAction(menu.get(), "probeAction")->trigger();
        QVERIFY(view.probeBar()->isVisible());
        QVERIFY(!view.findChild<QPushButton*>("probeButton")->isEnabled());  // one probe at a time
        QVERIFY(ended.wait(120000) || !ended.isEmpty());
        QVERIFY2(ended.first().at(0).value<ProbeJobResult>().ok, qPrintable(view.probeBar()->message()));
        QCOMPARE(changed.count(), 1);
        for (qint64 id : ids) {
            const RunRow* row = view.model()->find(id);
            QCOMPARE(row->probeStep, qint64(30));
            QVERIFY(std::isfinite(row->answer) && std::isfinite(row->noise));
            const QModelIndex cell = view.table()->model()->index(
                view.proxy()->mapFromSource(view.model()->index(view.model()->rowOf(id), 0)).row(),
                RunsTableModel::Answer);
            QVERIFY(cell.data().toString() != QString::fromUtf8("—"));
        }
        view.selectRuns({ids.front()});
        QVERIFY2(view.findChild<QLabel*>("details")->text().contains("Last probe (step 30)"),
                 qPrintable(view.findChild<QLabel*>("details")->text()));
        QVERIFY(view.findChild<QPushButton*>("probeButton")->isEnabled());
        // For looking at: the probed runs grouped by kind, with two config columns shown.
        view.table()->setColumnHidden(RunsTableModel::DModel, false);
        view.table()->setColumnHidden(RunsTableModel::Context, false);
        view.setGroupColumn(RunsTableModel::Kind);
        QVERIFY(!testsupport::saveScreenshot(&view, "runs-view-probed").isEmpty());
        QVERIFY(!testsupport::saveScreenshot(&view, "runs-view-probed-1024", {1024, 640}).isEmpty());
        view.setGroupColumn(-1);
    }

    void probeNowCancelStoresNothing() {
        QString error;
        const app::AppPaths paths = sandbox_.trainedStore("probe-cancel", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        RunsView view(paths);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QVector<RunRow> rows = view.model()->rows();
        view.selectRuns({rows[0].id, rows[1].id});
        ProbeSettings grid = smallGrid();
        grid.samples = 3;
        view.probeBar()->setSettings(grid);
        QSignalSpy ended(view.probeBar(), &ProbeNowBar::probeEnded);
        QTest::mouseClick(view.findChild<QPushButton*>("probeButton"), Qt::LeftButton);
        QTest::mouseClick(view.probeBar()->cancelButton(), Qt::LeftButton);
        QVERIFY(ended.wait(120000) || !ended.isEmpty());
        QVERIFY(ended.first().at(0).value<ProbeJobResult>().cancelled);
        QVERIFY(view.probeBar()->message().contains("nothing was stored"));
        const RunStore store = RunStore::open(paths.dbPath.toStdString(), true);
        for (const RunRow& r : rows) {
            QVERIFY(store.probeRows(r.id).empty());
            QCOMPARE(view.model()->find(r.id)->probeStep, qint64(0));
        }
    }

    void showsConfigColumnsAndPlannedSteps() {
        RunsView view(paired_);
        view.show();
        const QAbstractItemModel* m = view.table()->model();
        for (int row = 0; row < m->rowCount(); ++row) {
            QCOMPARE(m->index(row, RunsTableModel::Steps).data().toString(), QString("30 / 30"));
            QCOMPARE(m->index(row, RunsTableModel::Steps).data(RunsTableModel::SortRole).toLongLong(),
                     qint64(30));
            QCOMPARE(m->index(row, RunsTableModel::DModel).data().toString(), QString("32"));
            QCOMPARE(m->index(row, RunsTableModel::Layers).data().toString(), QString("2"));
            QCOMPARE(m->index(row, RunsTableModel::Context).data().toString(), QString("128"));
            QCOMPARE(m->index(row, RunsTableModel::Lr).data().toString(), QString("0.003"));
            QCOMPARE(m->index(row, RunsTableModel::Seed).data().toString(), QString("1234"));
            QCOMPARE(m->index(row, RunsTableModel::Curriculum).data().toString(), QString("0.00"));
            // Numbers sort as numbers.
            QCOMPARE(m->index(row, RunsTableModel::DModel).data(RunsTableModel::SortRole).toDouble(), 32.0);
        }
    }

    void columnsHiddenFromTheHeaderMenuAreKept() {
        QSettings().remove(app::kSettingRunsHiddenColumns);
        {
            RunsView view(paired_);
            QTableView* table = view.table();
            // By default the config columns are hidden (the table stays readable at 1024 px).
            for (int c = RunsTableModel::DModel; c < RunsTableModel::ColumnCount; ++c)
                QVERIFY(table->isColumnHidden(c));
            QVERIFY(!table->isColumnHidden(RunsTableModel::Group));
            std::unique_ptr<QMenu> menu(makeColumnsMenu(table, &view));
            QStringList names;
            for (QAction* a : menu->actions()) {
                names << a->text();
                if (a->data().toInt() == RunsTableModel::DModel) a->setChecked(true);
                if (a->data().toInt() == RunsTableModel::Seed) a->setChecked(true);
                if (a->data().toInt() == RunsTableModel::Group) a->setChecked(false);
            }
            QVERIFY(!names.contains("Name"));  // the name always stays
            QVERIFY(names.contains("d_model") && names.contains("Curriculum"));
            QVERIFY(!table->isColumnHidden(RunsTableModel::DModel));
            QVERIFY(!table->isColumnHidden(RunsTableModel::Seed));
            QVERIFY(table->isColumnHidden(RunsTableModel::Group));
        }
        RunsView again(paired_);
        QVERIFY(!again.table()->isColumnHidden(RunsTableModel::DModel));
        QVERIFY(!again.table()->isColumnHidden(RunsTableModel::Seed));
        QVERIFY(again.table()->isColumnHidden(RunsTableModel::Group));
        QVERIFY(again.table()->isColumnHidden(RunsTableModel::Lr));
        QSettings().remove(app::kSettingRunsHiddenColumns);
    }

    void groupsRowsByAColumn() {
        {
            RunsView view(paired_);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            QComboBox* combo = view.groupByCombo();
            QCOMPARE(combo->currentData().toInt(), -1);
            QVERIFY(!view.table()->verticalHeader()->isVisible());
            const int kind = combo->findData(int(RunsTableModel::Kind));
            QVERIFY(kind > 0);
            QVERIFY(combo->findData(int(RunsTableModel::DModel)) > 0);
            combo->setCurrentIndex(kind);
            Q_EMIT combo->activated(kind);
            QCOMPARE(view.proxy()->groupColumn(), int(RunsTableModel::Kind));
            QCOMPARE(view.proxy()->groupCount(), 2);
            QVERIFY(view.table()->verticalHeader()->isVisible());
            const QAbstractItemModel* m = view.table()->model();
            QCOMPARE(m->headerData(0, Qt::Vertical).toString(), QString("Kind DIFF"));  // DIFF < standard
            QCOMPARE(m->headerData(1, Qt::Vertical).toString(), QString("Kind standard"));
            // Whatever the sort order, groups stay in ascending order.
            view.table()->sortByColumn(RunsTableModel::Created, Qt::AscendingOrder);
            QCOMPARE(m->index(0, RunsTableModel::Kind).data().toString(), QString("DIFF"));
            // The same d_model: one group.
            view.setGroupColumn(RunsTableModel::DModel);
            QCOMPARE(view.proxy()->groupCount(), 1);
            QCOMPARE(m->headerData(1, Qt::Vertical).toString(), QString());  // not a group start
        }
        RunsView again(paired_);  // the choice is kept
        QCOMPARE(again.proxy()->groupColumn(), int(RunsTableModel::DModel));
        QCOMPARE(again.groupByCombo()->currentData().toInt(), int(RunsTableModel::DModel));
        again.setGroupColumn(-1);
        QCOMPARE(again.proxy()->groupCount(), 0);
        QCOMPARE(QSettings().value(app::kSettingRunsGroupBy).toString(), QString());
    }

    void exportDialogStartsInTheLastExportFolder() {
        const QString folder = sandbox_.filePath("exports");
        QVERIFY(QDir().mkpath(folder));
        rememberExportDir(QDir(folder).filePath("earlier.png"));
        QCOMPARE(lastExportDir(), folder);
        RunsView view(paired_);
        view.show();
        view.selectRuns({view.model()->rows().front().id});
        QString shownFolder, proposed;
        actOnNextModal<QFileDialog>([&](QFileDialog* dialog) {
            shownFolder = dialog->directory().absolutePath();
            const QStringList selected = dialog->selectedFiles();
            proposed = selected.isEmpty() ? QString() : selected.front();
            dialog->reject();
        });
        view.exportSelection();
        QCOMPARE(shownFolder, folder);
        QVERIFY2(proposed.endsWith(".csv"), qPrintable(proposed));
        // A folder that no longer exists falls back to Documents.
        QVERIFY(QDir(folder).removeRecursively());
        QVERIFY(lastExportDir() != folder);
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
