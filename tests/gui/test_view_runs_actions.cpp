// The Runs view's actions over a real store: the context menu (tags, notes, Inspect, Compare, Probe now,
// export, delete), "Probe now" (stored and shown; cancel stores nothing), the config columns (shown /
// hidden and kept) and planned steps, grouping by a column, and the export folder remembered.
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

class RunsViewActionsTest : public QObject {
    Q_OBJECT
    testsupport::GuiSandbox sandbox_;
    QString corpus_;
    app::AppPaths empty_, paired_;

  private Q_SLOTS:
    void initTestCase() {
        const QString problem =
            sandbox_.initWithTrainedAndEmptyStores("test_view_runs_actions", &corpus_, &empty_, &paired_);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
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
};

// As the app does: passive OpenMP waits (a restart before QApplication), else probing crawls on busy cores.
int main(int argc, char** argv) {
    needlescope::prepareProcess(argv);
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    RunsViewActionsTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_view_runs_actions.moc"
