#include "ui/dialogs/HelpDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QSet>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

// Q_INIT_RESOURCE must be called from the global namespace.
static void initHelpResources() { Q_INIT_RESOURCE(needlescope); }

namespace needlescope {

namespace {

QString mapsHtml() {
    initHelpResources();
    QFile file(QStringLiteral(":/help/maps.html"));
    if (!file.open(QIODevice::ReadOnly)) return QObject::tr("The help page is missing from this build.");
    return QString::fromUtf8(file.readAll());
}

}  // namespace

HelpDialog::HelpDialog(const QList<QAction*>& actions, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Needlescope Help"));
    setObjectName(QStringLiteral("helpDialog"));

    shortcuts_ = new QTableWidget(0, 2, this);
    shortcuts_->setObjectName(QStringLiteral("shortcutsTable"));
    shortcuts_->setHorizontalHeaderLabels({tr("Keys"), tr("Action")});
    shortcuts_->verticalHeader()->hide();
    shortcuts_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    shortcuts_->setSelectionMode(QAbstractItemView::NoSelection);
    shortcuts_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    shortcuts_->horizontalHeader()->setStretchLastSection(true);
    QSet<QString> seen;
    for (const QAction* action : actions) {
        if (action->shortcut().isEmpty()) continue;
        const QString keys = action->shortcuts().first().toString(QKeySequence::NativeText);
        // whatsThis, when set, describes an action whose text changes (Pause / Resume).
        QString what = action->whatsThis().isEmpty() ? action->text() : action->whatsThis();
        what.remove(QLatin1Char('&'));
        if (what.endsWith(QStringLiteral("…"))) what.chop(1);
        if (seen.contains(keys + what)) continue;
        seen.insert(keys + what);
        const int row = shortcuts_->rowCount();
        shortcuts_->insertRow(row);
        shortcuts_->setItem(row, 0, new QTableWidgetItem(keys));
        shortcuts_->setItem(row, 1, new QTableWidgetItem(what));
    }

    maps_ = new QTextBrowser(this);
    maps_->setObjectName(QStringLiteral("mapsPage"));
    maps_->setOpenExternalLinks(false);
    maps_->setHtml(mapsHtml());

    tabs_ = new QTabWidget(this);
    tabs_->addTab(shortcuts_, tr("Keyboard shortcuts"));
    tabs_->addTab(maps_, tr("Reading the maps"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tabs_, 1);
    layout->addWidget(buttons);
    resize(640, 560);
}

void HelpDialog::showPage(Page page) { tabs_->setCurrentIndex(int(page)); }

}  // namespace needlescope
