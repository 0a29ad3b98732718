#pragma once
// The Runs view's table: whole-row extended selection, sortable (newest first), inline tag editing, the
// name column stretching and the others fitting their contents.
#include <QTableView>

namespace needlescope {

class RunsTable : public QTableView {
    Q_OBJECT
  public:
    // `model` has the RunsTableModel's columns (a proxy over it).
    explicit RunsTable(QAbstractItemModel* model, QWidget* parent = nullptr);
    // Whether an inline editor (tags) is open.
    bool editing() const { return state() == QAbstractItemView::EditingState; }
};

}  // namespace needlescope
