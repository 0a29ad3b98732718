#include "ui/views/RunsView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QShowEvent>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "core/probe/RunCatalog.h"
#include "core/store/RunStore.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/style/Palette.h"
#include "ui/views/ProbeNowBar.h"
#include "ui/views/RunDetailsPanel.h"
#include "ui/views/RunsColumns.h"
#include "ui/views/RunsTable.h"
#include "ui/views/RunsTableModel.h"
#include "ui/views/StoreWatcher.h"

namespace needlescope {

namespace {

QString fromStd(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

RunsView::RunsView(const app::AppPaths& paths, QWidget* parent) : QWidget(parent), paths_(paths) {
    model_ = new RunsTableModel(this);
    proxy_ = new RunsSortProxy(this);
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(RunsTableModel::SortRole);
    proxy_->setDynamicSortFilter(false);

    // Top: filter + count.
    filterEdit_ = new QLineEdit(this);
    filterEdit_->setObjectName(QStringLiteral("filterEdit"));
    filterEdit_->setPlaceholderText(tr("Filter by name, group, kind, tag or note…"));
    filterEdit_->setClearButtonEnabled(true);
    countLabel_ = new QLabel(this);
    countLabel_->setObjectName(QStringLiteral("countLabel"));
    auto* refreshButton =
        new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("Refresh"), this);
    refreshButton->setToolTip(tr("Reload the runs from the store"));
    groupCombo_ = new QComboBox(this);
    groupCombo_->setObjectName(QStringLiteral("groupByCombo"));
    groupCombo_->setToolTip(tr("Show the runs in groups of equal values of a column"));
    groupCombo_->addItem(tr("none"), -1);
    for (int column : groupableColumns())
        groupCombo_->addItem(model_->headerData(column, Qt::Horizontal).toString(), column);
    auto* top = new QHBoxLayout();
    top->addWidget(new QLabel(tr("Filter:"), this));
    top->addWidget(filterEdit_, 1);
    top->addWidget(new QLabel(tr("Group by:"), this));
    top->addWidget(groupCombo_);
    top->addWidget(countLabel_);
    top->addWidget(refreshButton);

    errorLabel_ = new QLabel(this);
    errorLabel_->setObjectName(QStringLiteral("errorLabel"));
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet(textColorStyle(errorColor()));
    errorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLabel_->hide();

    table_ = new RunsTable(proxy_, this);
    restoreHiddenColumns(table_);
    table_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu* menu = makeContextMenu(this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(table_->viewport()->mapToGlobal(pos));
    });
    QHeaderView* header = table_->horizontalHeader();
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QWidget::customContextMenuRequested, this, [this, header](const QPoint& pos) {
        QMenu* menu = makeColumnsMenu(table_, this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(header->mapToGlobal(pos));
    });
    details_ = new RunDetailsPanel(this);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(table_);
    splitter->addWidget(details_);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({960, 300});

    buildActions();

    auto* buttons = new QHBoxLayout();
    buttons->addWidget(inspectButton_);
    buttons->addWidget(compareButton_);
    buttons->addWidget(resumeButton_);
    buttons->addWidget(probeButton_);
    buttons->addStretch(1);
    buttons->addWidget(exportButton_);
    buttons->addWidget(deleteButton_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addWidget(errorLabel_);
    layout->addWidget(splitter, 1);
    layout->addWidget(probeBar_);
    layout->addLayout(buttons);

    // Wiring.
    filterTimer_ = new QTimer(this);
    filterTimer_->setSingleShot(true);
    filterTimer_->setInterval(200);
    connect(filterTimer_, &QTimer::timeout, this, &RunsView::refresh);
    connect(filterEdit_, &QLineEdit::textChanged, filterTimer_, qOverload<>(&QTimer::start));
    connect(refreshButton, &QPushButton::clicked, this, &RunsView::refresh);
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateButtons();
        updateDetails();
    });
    connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.column() != RunsTableModel::Tags) inspectSelected();
    });
    connect(model_, &RunsTableModel::tagsEdited, this, &RunsView::writeTags);
    connect(groupCombo_, qOverload<int>(&QComboBox::activated), this,
            [this](int index) { setGroupColumn(groupCombo_->itemData(index).toInt()); });
    connect(details_, &RunDetailsPanel::saveNotesRequested, this, &RunsView::saveNotes);

    // The store changes under us while training (another thread or process): reload at most every
    // 1.5 s, and only while shown.
    watcher_ = new StoreWatcher(this);
    watchTimer_ = new QTimer(this);
    watchTimer_->setSingleShot(true);
    watchTimer_->setInterval(1500);
    connect(watchTimer_, &QTimer::timeout, this, [this] {
        if (isVisible())
            refresh();
        else
            dirty_ = true;
    });
    connect(watcher_, &StoreWatcher::touched, this, [this] {
        if (!watchTimer_->isActive()) watchTimer_->start();
    });

    setGroupColumn(RunsTableModel::columnOfKey(QSettings().value(app::kSettingRunsGroupBy).toString()));
    refresh();
}

RunsView::~RunsView() = default;

void RunsView::setGroupColumn(int column) {
    if (!groupableColumns().contains(column)) column = -1;
    const int comboIndex = groupCombo_->findData(column);
    if (comboIndex >= 0 && groupCombo_->currentIndex() != comboIndex)
        groupCombo_->setCurrentIndex(comboIndex);
    QSettings().setValue(app::kSettingRunsGroupBy, RunsTableModel::columnKey(column));
    const QVector<qint64> selected = selectedRunIds();
    proxy_->setGroupColumn(column);
    // Group labels in the vertical header; the group bands replace the alternating rows.
    table_->verticalHeader()->setVisible(column >= 0);
    table_->setAlternatingRowColors(column < 0);
    selectRuns(selected);
}

RunStore* RunsView::store() {
    if (store_) return store_.get();
    try {
        store_ = std::make_unique<RunStore>(RunStore::open(paths_.dbPath.toStdString()));
        watcher_->watch(paths_.dbPath);
    } catch (const std::exception& e) {
        showError(tr("Cannot open the run store: %1").arg(fromStd(e.what())));
        return nullptr;
    }
    return store_.get();
}

void RunsView::showError(const QString& message) {
    errorLabel_->setText(message);
    errorLabel_->setVisible(!message.isEmpty());
    if (!message.isEmpty()) Q_EMIT statusMessage(message, 8000);
}

QString RunsView::errorText() const { return errorLabel_->isVisible() ? errorLabel_->text() : QString(); }

void RunsView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (dirty_) refresh();
}

// ----------------------------------------------------------------------------------------- refresh

void RunsView::refresh() {
    filterTimer_->stop();
    // Never pull the rug from under an open tag editor or unsaved notes: try again shortly.
    if (table_->editing() || details_->notesModified()) {
        dirty_ = true;
        if (!watchTimer_->isActive()) watchTimer_->start();
        return;
    }
    RunStore* s = store();
    if (!s) return;
    dirty_ = false;
    const QVector<qint64> selected = selectedRunIds();
    QVector<RunRow> rows;
    try {
        RunFilter filter;
        filter.text = filterEdit_->text().trimmed().toStdString();
        for (const RunSummary& r : RunCatalog(*s).runs(filter)) rows.push_back(runRowFrom(r));
    } catch (const std::exception& e) {
        showError(tr("Cannot read the run store: %1").arg(fromStd(e.what())));
        return;
    }
    showError(QString());
    model_->setRows(std::move(rows));
    proxy_->sort(table_->horizontalHeader()->sortIndicatorSection(),
                 table_->horizontalHeader()->sortIndicatorOrder());
    selectRuns(selected);
    const int total = model_->rowCount();
    countLabel_->setText(filterEdit_->text().trimmed().isEmpty() ? tr("%n run(s)", nullptr, total)
                                                                 : tr("%n matching", nullptr, total));
    updateButtons();
    updateDetails();
}

void RunsView::setFilterText(const QString& text) {
    filterEdit_->setText(text);
    refresh();
}

int RunsView::visibleRunCount() const { return proxy_->rowCount(); }
QTableView* RunsView::table() const { return table_; }

QVector<qint64> RunsView::selectedRunIds() const {
    QVector<qint64> ids;
    QModelIndexList rows = table_->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const QModelIndex& index : rows) ids.push_back(index.data(RunsTableModel::IdRole).toLongLong());
    return ids;
}

void RunsView::selectRuns(const QVector<qint64>& runIds) {
    QItemSelection selection;
    QModelIndex first;
    for (qint64 id : runIds) {
        const int sourceRow = model_->rowOf(id);
        if (sourceRow < 0) continue;
        const QModelIndex index = proxy_->mapFromSource(model_->index(sourceRow, 0));
        selection.select(index, index.siblingAtColumn(RunsTableModel::ColumnCount - 1));
        if (!first.isValid()) first = index;
    }
    table_->selectionModel()->select(selection,
                                     QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid()) {
        table_->selectionModel()->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
        table_->scrollTo(first);
    }
}

// ------------------------------------------------------------------------------------ side panel

void RunsView::updateButtons() {
    const QVector<qint64> ids = selectedRunIds();
    const RunRow* one = ids.size() == 1 ? model_->find(ids.front()) : nullptr;
    inspectButton_->setEnabled(one != nullptr);
    compareButton_->setEnabled(compareTargets().size() >= 2);
    resumeButton_->setEnabled(one && one->status == RunStatus::Interrupted);
    probeButton_->setEnabled(!ids.isEmpty() && !probeBar_->isBusy());
    exportButton_->setEnabled(!ids.isEmpty());
    deleteButton_->setEnabled(!ids.isEmpty());
}

void RunsView::updateDetails() { details_->showRuns(selectedRunIds(), *model_, store()); }

void RunsView::saveNotes() {
    const qint64 runId = details_->notesRunId();
    if (runId == 0) return;
    RunStore* s = store();
    if (!s) return;
    const QString notes = details_->notes();
    try {
        s->setNotes(runId, notes.toStdString());
    } catch (const std::exception& e) {
        showError(tr("Cannot save the notes: %1").arg(fromStd(e.what())));
        return;
    }
    model_->setNotes(runId, notes);
    details_->markNotesSaved();
    Q_EMIT statusMessage(tr("Notes saved"), 2000);
}

void RunsView::writeTags(qint64 runId, const QStringList& tags) {
    RunStore* s = store();
    if (!s) return;
    std::vector<std::string> values;
    for (const QString& t : tags) values.push_back(t.toStdString());
    try {
        s->setTags(runId, values);
    } catch (const std::exception& e) {
        showError(tr("Cannot save the tags: %1").arg(fromStd(e.what())));
        return;
    }
    model_->setTags(runId, tags);
    Q_EMIT statusMessage(tags.isEmpty() ? tr("Tags cleared") : tr("Tags saved: %1").arg(tags.join(", ")),
                         2000);
}

}  // namespace needlescope
