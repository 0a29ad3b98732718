#include "ui/views/RunsTable.h"

#include <QHeaderView>

#include "ui/views/RunsTableModel.h"

namespace needlescope {

RunsTable::RunsTable(QAbstractItemModel* model, QWidget* parent) : QTableView(parent) {
    setObjectName(QStringLiteral("runsTable"));
    setModel(model);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                    QAbstractItemView::SelectedClicked);
    setSortingEnabled(true);
    sortByColumn(RunsTableModel::Created, Qt::DescendingOrder);
    setAlternatingRowColors(true);
    setWordWrap(false);
    verticalHeader()->hide();
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(false);
    // The name stretches; short columns fit their contents; group and tags can be dragged wider.
    QHeaderView* header = horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(RunsTableModel::Name, QHeaderView::Stretch);
    header->setSectionResizeMode(RunsTableModel::Tags, QHeaderView::Interactive);
    header->setResizeContentsPrecision(200);
    const int charWidth = fontMetrics().averageCharWidth();
    setColumnWidth(RunsTableModel::Tags, 18 * charWidth);
    setTextElideMode(Qt::ElideMiddle);  // "tiny-2026…/diff" keeps the kind visible
}

}  // namespace needlescope
