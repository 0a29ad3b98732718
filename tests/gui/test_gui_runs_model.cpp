// RunsTableModel under Qt's QAbstractItemModelTester (row/column counts, indexes, parents, data roles,
// reset and dataChanged signals all consistent), alone and behind the sort/filter proxy RunsView uses,
// through the operations the view performs: fill, refill, tag, note, inline tag edit.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest/QtTest>
#include <cmath>

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

QTEST_GUILESS_MAIN(RunsModelTest)
#include "test_gui_runs_model.moc"
