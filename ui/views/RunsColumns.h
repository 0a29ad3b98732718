#pragma once
// The Runs table's columns: the sort proxy that can group rows by a column (groups in ascending order,
// each labelled in the vertical header and banded, rows sorted within them by the chosen column), the
// columns offered for grouping, and which columns are shown (header context menu, kept in QSettings).
#include <QSortFilterProxyModel>
#include <QVector>

QT_BEGIN_NAMESPACE
class QMenu;
class QTableView;
QT_END_NAMESPACE

namespace needlescope {

class RunsSortProxy : public QSortFilterProxyModel {
    Q_OBJECT
  public:
    explicit RunsSortProxy(QObject* parent = nullptr);

    // -1: no grouping. Re-sorts at once.
    void setGroupColumn(int column);
    int groupColumn() const { return groupColumn_; }
    // The group of a (proxy) row: 0, 1, … in view order; -1 without grouping.
    int groupOf(int row) const;
    bool startsGroup(int row) const;  // the first row of its group
    int groupCount() const;
    QString groupLabel(int row) const;  // "d_model 64" for the group of `row`

    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

  protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

  private:
    void computeGroups() const;

    int groupColumn_ = -1;
    mutable QVector<int> groups_;  // per proxy row
    mutable bool groupsValid_ = false;
};

// The columns the "Group by" combo offers (kind, group, status and the config columns).
QVector<int> groupableColumns();

// Hides the columns the settings list as hidden (the config columns by default); saveHiddenColumns()
// writes the current choice.
void restoreHiddenColumns(QTableView* table);
void saveHiddenColumns(const QTableView* table);
// A menu of checkable column names (the name column always stays); toggling one shows or hides it and
// saves the choice.
QMenu* makeColumnsMenu(QTableView* table, QWidget* parent);

}  // namespace needlescope
