#pragma once
// Help: the keyboard shortcuts (read from the window's own actions, so the list is never out of date) and
// a short page on how to read the attention maps (resources/help/maps.html).
#include <QDialog>
#include <QList>

QT_BEGIN_NAMESPACE
class QAction;
class QTabWidget;
class QTableWidget;
class QTextBrowser;
QT_END_NAMESPACE

namespace needlescope {

class HelpDialog : public QDialog {
    Q_OBJECT
  public:
    enum Page { ShortcutsPage = 0, MapsPage = 1 };

    // `actions`: those with a shortcut are listed (duplicates of the same text and keys once).
    explicit HelpDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);

    void showPage(Page page);
    QTableWidget* shortcutsTable() const { return shortcuts_; }
    QTextBrowser* mapsPage() const { return maps_; }

  private:
    QTabWidget* tabs_ = nullptr;
    QTableWidget* shortcuts_ = nullptr;
    QTextBrowser* maps_ = nullptr;
};

}  // namespace needlescope
