#include "ui/views/RunsColumns.h"

#include <QAction>
#include <QBrush>
#include <QGuiApplication>
#include <QHeaderView>
#include <QMenu>
#include <QPalette>
#include <QSettings>
#include <QTableView>

#include "ui/settings/SettingsKeys.h"
#include "ui/views/RunsTableModel.h"

namespace needlescope {

RunsSortProxy::RunsSortProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    const auto dirty = [this] { groupsValid_ = false; };
    connect(this, &QAbstractItemModel::layoutChanged, this, dirty);
    connect(this, &QAbstractItemModel::modelReset, this, dirty);
    connect(this, &QAbstractItemModel::rowsInserted, this, dirty);
    connect(this, &QAbstractItemModel::rowsRemoved, this, dirty);
    connect(this, &QAbstractItemModel::dataChanged, this, dirty);
}

void RunsSortProxy::setGroupColumn(int column) {
    if (column < 0 || column >= RunsTableModel::ColumnCount) column = -1;
    if (column == groupColumn_) return;
    groupColumn_ = column;
    groupsValid_ = false;
    invalidate();
    if (sortColumn() >= 0)
        sort(sortColumn(), sortOrder());
    else if (column >= 0)
        sort(column, Qt::AscendingOrder);
    if (rowCount() > 0) Q_EMIT headerDataChanged(Qt::Vertical, 0, rowCount() - 1);
}

bool RunsSortProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    if (groupColumn_ >= 0) {
        const QModelIndex a = left.siblingAtColumn(groupColumn_), b = right.siblingAtColumn(groupColumn_);
        const bool ab = QSortFilterProxyModel::lessThan(a, b), ba = QSortFilterProxyModel::lessThan(b, a);
        if (ab != ba)  // different groups: always in ascending group order, whatever the sort order
            return sortOrder() == Qt::AscendingOrder ? ab : ba;
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

void RunsSortProxy::computeGroups() const {
    if (groupsValid_) return;
    groups_.clear();
    if (groupColumn_ >= 0) {
        QString previous;
        int group = -1;
        for (int row = 0; row < rowCount(); ++row) {
            const QString key = index(row, groupColumn_).data(sortRole()).toString();
            if (row == 0 || key != previous) ++group;
            previous = key;
            groups_.push_back(group);
        }
    }
    groupsValid_ = true;
}

int RunsSortProxy::groupOf(int row) const {
    computeGroups();
    return row >= 0 && row < groups_.size() ? groups_[row] : -1;
}

bool RunsSortProxy::startsGroup(int row) const {
    const int g = groupOf(row);
    return g >= 0 && (row == 0 || groupOf(row - 1) != g);
}

int RunsSortProxy::groupCount() const {
    computeGroups();
    return groups_.isEmpty() ? 0 : groups_.back() + 1;
}

QString RunsSortProxy::groupLabel(int row) const {
    if (groupOf(row) < 0) return {};
    return QStringLiteral("%1 %2").arg(headerData(groupColumn_, Qt::Horizontal).toString(),
                                       index(row, groupColumn_).data().toString());
}

QVariant RunsSortProxy::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Vertical && groupColumn_ >= 0) {
        if (role == Qt::DisplayRole) return startsGroup(section) ? groupLabel(section) : QString();
        if (role == Qt::ToolTipRole) return groupLabel(section);
        if (role == Qt::TextAlignmentRole) return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    }
    return QSortFilterProxyModel::headerData(section, orientation, role);
}

QVariant RunsSortProxy::data(const QModelIndex& index, int role) const {
    // Every other group is banded, so groups read as blocks.
    if (role == Qt::BackgroundRole && groupColumn_ >= 0 && index.isValid() && groupOf(index.row()) % 2 == 1 &&
        qGuiApp)
        return QBrush(QGuiApplication::palette().color(QPalette::AlternateBase));
    return QSortFilterProxyModel::data(index, role);
}

QVector<int> groupableColumns() {
    return {RunsTableModel::Kind,   RunsTableModel::Group,  RunsTableModel::Status,
            RunsTableModel::DModel, RunsTableModel::Layers, RunsTableModel::Context,
            RunsTableModel::Lr,     RunsTableModel::Seed,   RunsTableModel::Curriculum};
}

void restoreHiddenColumns(QTableView* table) {
    // The config columns start hidden: the table stays readable at 1024 px; one right-click shows them.
    QStringList defaultHidden;
    for (int c = RunsTableModel::DModel; c < RunsTableModel::ColumnCount; ++c)
        defaultHidden << RunsTableModel::columnKey(c);
    const QSettings settings;
    const QStringList hidden = settings.contains(app::kSettingRunsHiddenColumns)
                                   ? settings.value(app::kSettingRunsHiddenColumns).toStringList()
                                   : defaultHidden;
    for (int c = 0; c < RunsTableModel::ColumnCount; ++c)
        table->setColumnHidden(c, c != RunsTableModel::Name && hidden.contains(RunsTableModel::columnKey(c)));
}

void saveHiddenColumns(const QTableView* table) {
    QStringList hidden;
    for (int c = 0; c < RunsTableModel::ColumnCount; ++c)
        if (table->isColumnHidden(c)) hidden << RunsTableModel::columnKey(c);
    QSettings().setValue(app::kSettingRunsHiddenColumns, hidden);
}

QMenu* makeColumnsMenu(QTableView* table, QWidget* parent) {
    auto* menu = new QMenu(QObject::tr("Columns"), parent);
    const QAbstractItemModel* model = table->model();
    for (int c = 0; c < RunsTableModel::ColumnCount; ++c) {
        if (c == RunsTableModel::Name) continue;
        QAction* action = menu->addAction(model->headerData(c, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!table->isColumnHidden(c));
        action->setData(c);
        QObject::connect(action, &QAction::toggled, table, [table, c](bool shown) {
            table->setColumnHidden(c, !shown);
            saveHiddenColumns(table);
        });
    }
    return menu;
}

}  // namespace needlescope
