// RunsTableModel under Qt's QAbstractItemModelTester (row/column counts, indexes, parents, data roles,
// reset and dataChanged signals all consistent), alone and behind the sort/filter proxy RunsView uses,
// through the operations the view performs: fill, refill, tag, note, inline tag edit; the config
// columns and planned steps, and the grouping proxy (groups kept in ascending order, labelled once).
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest/QtTest>
#include <cmath>

#include "ui/views/RunsColumns.h"
#include "ui/views/RunsTableModel.h"

using namespace needlescope;

namespace {

QVector<RunRow> sampleRows(int count) {
    QVector<RunRow> rows;
    for (int i = 0; i < count; ++i) {
        RunRow r;
        r.id = 100 + i;
        r.name = QStringLiteral("run-%1").arg(i);
        r.kind = i % 2 ? QStringLiteral("diff") : QStringLiteral("standard");
        r.group = QStringLiteral("group-%1").arg(i / 2);
        r.steps = 7 * i * i;  // 0, 7, 28, …, 252: sorted as text, "7" would come last
        if (i % 3 != 0) {     // every third run never evaluated / probed: NaN cells
            r.bestValLoss = 5.0 - 0.1 * i;
            r.bestValStep = 10 * i;
            r.answer = 0.01 * i;
            r.noise = 0.5 - 0.01 * i;
            r.probeStep = 10 * i;
        }
        r.created = QDateTime::fromSecsSinceEpoch(1700000000 + 60 * i);
        r.tags = i % 2 ? QStringList{QStringLiteral("study:a")} : QStringList{};
        if (i != 5) {  // run 5: an unreadable config
            r.hasConfig = true;
            r.dModel = i < 3 ? 64 : 128;
            r.layers = 2 + i % 2;
            r.context = 128;
            r.lr = i < 4 ? 3e-4 : 1e-3;
            r.seed = 1000 + (i % 3);  // as text "1002" > "1000", numbers too; 9 vs 10 checks numerics below
            r.curriculum = 0.1 * i;
            r.plannedSteps = i == 6 ? 0 : 300;
            r.plannedEpochs = i == 6 ? 2 : 0;
        }
        rows << r;
    }
    return rows;
}

}  // namespace

class RunsModelTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void passesTheModelTesterThroughEveryOperation() {
        RunsTableModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(RunsTableModel::SortRole);
        proxy.setFilterKeyColumn(-1);
        proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(RunsTableModel::ColumnCount));
        model.setRows(sampleRows(7));
        QCOMPARE(model.rowCount(), 7);
        QCOMPARE(model.rowCount(model.index(0, 0)), 0);  // a table: no children under any row
        proxy.sort(RunsTableModel::BestVal, Qt::DescendingOrder);
        proxy.setFilterFixedString(QStringLiteral("diff"));
        QCOMPARE(proxy.rowCount(), 3);
        proxy.setFilterFixedString(QString());

        model.setRows(sampleRows(3));  // a refresh with fewer runs
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(proxy.rowCount(), 3);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setTags(101, {QStringLiteral("x"), QStringLiteral("y")});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.data(model.index(model.rowOf(101), RunsTableModel::Tags)).toString(), QString("x, y"));
        model.setNotes(102, QStringLiteral("a note"));
        QCOMPARE(changed.count(), 2);
        model.setTags(999, {QStringLiteral("nobody")});  // an id not in the table changes nothing
        QCOMPARE(changed.count(), 2);

        QSignalSpy edited(&model, &RunsTableModel::tagsEdited);
        QVERIFY(model.setData(model.index(0, RunsTableModel::Tags), QStringLiteral(" b , a,, b ")));
        QCOMPARE(edited.count(), 1);
        QCOMPARE(edited.at(0).at(1).toStringList(), (QStringList{"b", "a"}));
        QVERIFY(
            !model.setData(model.index(0, RunsTableModel::Name), QStringLiteral("renamed")));  // read-only

        model.setRows({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(proxy.rowCount(), 0);
    }

    void groupingProxyPassesTheModelTester() {
        RunsTableModel model;
        RunsSortProxy proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(RunsTableModel::SortRole);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows(sampleRows(7));
        proxy.sort(RunsTableModel::Created, Qt::DescendingOrder);
        QCOMPARE(proxy.groupCount(), 0);
        QCOMPARE(proxy.groupOf(0), -1);

        proxy.setGroupColumn(RunsTableModel::DModel);
        // Groups: no config (-1) first, then 64, then 128; inside each, newest first.
        QCOMPARE(proxy.groupCount(), 3);
        QStringList starts;
        for (int r = 0; r < proxy.rowCount(); ++r)
            if (proxy.startsGroup(r))
                starts << proxy.headerData(r, Qt::Vertical).toString();
            else
                QCOMPARE(proxy.headerData(r, Qt::Vertical).toString(), QString());
        QCOMPARE(starts, (QStringList{QString::fromUtf8("d_model —"), "d_model 64", "d_model 128"}));
        for (int r = 1; r < proxy.rowCount(); ++r) {
            QVERIFY(proxy.groupOf(r) >= proxy.groupOf(r - 1));
            if (proxy.groupOf(r) == proxy.groupOf(r - 1))
                QVERIFY(
                    proxy.index(r - 1, RunsTableModel::Created).data(RunsTableModel::SortRole).toLongLong() >
                    proxy.index(r, RunsTableModel::Created).data(RunsTableModel::SortRole).toLongLong());
        }
        // Every other group banded.
        QVERIFY(!proxy.index(0, 0).data(Qt::BackgroundRole).isValid());
        const int second = proxy.groupOf(1) == 1 ? 1 : 2;
        QVERIFY(proxy.index(second, 0).data(Qt::BackgroundRole).isValid());

        model.setRows(sampleRows(4));  // a refresh: the groups follow
        proxy.sort(RunsTableModel::Created, Qt::DescendingOrder);
        QCOMPARE(proxy.groupCount(), 2);
        model.setTags(100, {QStringLiteral("t")});
        proxy.setGroupColumn(RunsTableModel::Kind);
        QCOMPARE(proxy.groupCount(), 2);
        proxy.setGroupColumn(-1);
        QCOMPARE(proxy.groupCount(), 0);
        // Plain row numbers again (those of the source rows).
        QCOMPARE(proxy.headerData(0, Qt::Vertical).toInt(), proxy.mapToSource(proxy.index(0, 0)).row() + 1);
        model.setRows({});
        QCOMPARE(proxy.groupCount(), 0);
    }

    void configColumnsAndPlannedSteps() {
        RunsTableModel model;
        model.setRows(sampleRows(7));
        auto cell = [&](qint64 id, int column, int role = Qt::DisplayRole) {
            return model.index(model.rowOf(id), column).data(role);
        };
        QCOMPARE(cell(101, RunsTableModel::Steps).toString(), QString("7 / 300"));
        QCOMPARE(cell(106, RunsTableModel::Steps).toString(), QString("252 / 2 epochs"));
        QCOMPARE(cell(106, RunsTableModel::Steps, RunsTableModel::SortRole).toLongLong(), qint64(252));
        QCOMPARE(cell(103, RunsTableModel::DModel).toString(), QString("128"));
        QCOMPARE(cell(103, RunsTableModel::Lr).toString(), QString("0.0003"));
        QCOMPARE(cell(104, RunsTableModel::Lr).toString(), QString("0.001"));
        QCOMPARE(cell(102, RunsTableModel::Curriculum).toString(), QString("0.20"));
        for (int c = RunsTableModel::DModel; c < RunsTableModel::ColumnCount; ++c) {
            QCOMPARE(cell(105, c).toString(), QString::fromUtf8("—"));  // unreadable config
            QVERIFY(!model.headerData(c, Qt::Horizontal).toString().isEmpty());
            QVERIFY(!model.headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
            QCOMPARE(RunsTableModel::columnOfKey(RunsTableModel::columnKey(c)), c);
        }
        QCOMPARE(RunsTableModel::columnOfKey("nonsense"), -1);
        // Numeric sorting: learning rates as numbers (as text "0.0003" > "0.001" would be wrong).
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(RunsTableModel::SortRole);
        proxy.sort(RunsTableModel::Lr, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, RunsTableModel::Lr).data(RunsTableModel::IdRole).toLongLong(), qint64(105));
        QCOMPARE(proxy.index(1, RunsTableModel::Lr).data().toString(), QString("0.0003"));
        QCOMPARE(proxy.index(6, RunsTableModel::Lr).data().toString(), QString("0.001"));
    }

    void sortsStepsAsNumbers() {
        RunsTableModel model;
        model.setRows(sampleRows(7));
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(RunsTableModel::SortRole);
        proxy.sort(RunsTableModel::Steps, Qt::AscendingOrder);
        for (int r = 1; r < proxy.rowCount(); ++r)
            QVERIFY(proxy.index(r - 1, RunsTableModel::Steps).data(RunsTableModel::SortRole).toDouble() <=
                    proxy.index(r, RunsTableModel::Steps).data(RunsTableModel::SortRole).toDouble());
        QCOMPARE(proxy.index(proxy.rowCount() - 1, RunsTableModel::Steps)
                     .data(RunsTableModel::IdRole)
                     .toLongLong(),
                 qint64(106));
    }
};

QTEST_MAIN(RunsModelTest)  // a GUI application: the group bands use its palette
#include "test_gui_runs_model.moc"
