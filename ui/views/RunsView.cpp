#include "ui/views/RunsView.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSet>
#include <QShowEvent>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <exception>

#include "core/probe/RunCatalog.h"
#include "core/store/Export.h"
#include "core/store/RunStore.h"
#include "ui/charts/ChartStyle.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/views/RunsTableModel.h"
#include "ui/views/TrainView.h"

namespace needlescope {

namespace {

QString fromStd(const std::string& s) { return QString::fromStdString(s); }

bool writeFile(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error) *error = QObject::tr("cannot write '%1': %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

// A table view that tells whether an inline editor (tags) is open.
class RunsTable : public QTableView {
public:
    using QTableView::QTableView;
    bool editing() const { return state() == QAbstractItemView::EditingState; }
};

QString configSummary(const RunConfig& c) {
    QStringList lines;
    lines << QObject::tr("d_model %1 · %2 layers · %3 heads · context %4 · vocab %5")
                 .arg(c.model.dModel)
                 .arg(c.model.nLayers)
                 .arg(c.model.nHeads)
                 .arg(c.model.maxContext)
                 .arg(c.model.vocabSize);
    const TrainConfig& t = c.train;
    lines << QObject::tr("batch %1 · %2 · lr %3 · curriculum %4")
                 .arg(t.batchSize)
                 .arg(t.steps > 0 ? QObject::tr("%1 steps").arg(t.steps) : QObject::tr("%1 epochs").arg(t.epochs))
                 .arg(t.optimizer.lr)
                 .arg(t.curriculumFraction);
    if (!c.dataLayout.empty()) lines << QObject::tr("data: %1").arg(QString::fromStdString(c.dataLayout));
    return lines.join('\n');
}

}  // namespace

RunsView::RunsView(const app::AppPaths& paths, QWidget* parent) : QWidget(parent), paths_(paths) {
    model_ = new RunsTableModel(this);
    proxy_ = new QSortFilterProxyModel(this);
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
    auto* refreshButton = new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("Refresh"), this);
    refreshButton->setToolTip(tr("Reload the runs from the store"));
    auto* top = new QHBoxLayout();
    top->addWidget(new QLabel(tr("Filter:"), this));
    top->addWidget(filterEdit_, 1);
    top->addWidget(countLabel_);
    top->addWidget(refreshButton);

    errorLabel_ = new QLabel(this);
    errorLabel_->setObjectName(QStringLiteral("errorLabel"));
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet(QStringLiteral("color: #b2182b;"));
    errorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLabel_->hide();

    // Table.
    table_ = new RunsTable(this);
    table_->setObjectName(QStringLiteral("runsTable"));
    table_->setModel(proxy_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::SelectedClicked);
    table_->setSortingEnabled(true);
    table_->sortByColumn(RunsTableModel::Created, Qt::DescendingOrder);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setHighlightSections(false);
    table_->horizontalHeader()->setStretchLastSection(false);
    // The name stretches; short columns fit their contents; group and tags can be dragged wider.
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(RunsTableModel::Name, QHeaderView::Stretch);
    header->setSectionResizeMode(RunsTableModel::Tags, QHeaderView::Interactive);
    header->setResizeContentsPrecision(200);
    const int charWidth = table_->fontMetrics().averageCharWidth();
    table_->setColumnWidth(RunsTableModel::Tags, 18 * charWidth);
    table_->setTextElideMode(Qt::ElideMiddle);  // "tiny-2026…/diff" keeps the kind visible

    // Side panel: details + notes.
    auto* side = new QWidget(this);
    side->setMinimumWidth(260);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    auto* detailsBox = new QGroupBox(tr("Run"), side);
    auto* detailsLayout = new QVBoxLayout(detailsBox);
    detailsTitle_ = new QLabel(tr("No run selected"), detailsBox);
    QFont bold = detailsTitle_->font();
    bold.setBold(true);
    detailsTitle_->setFont(bold);
    detailsTitle_->setWordWrap(true);
    details_ = new QLabel(detailsBox);
    details_->setObjectName(QStringLiteral("details"));
    details_->setWordWrap(true);
    details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    details_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    detailsLayout->addWidget(detailsTitle_);
    detailsLayout->addWidget(details_, 1);
    auto* notesBox = new QGroupBox(tr("Notes"), side);
    auto* notesLayout = new QVBoxLayout(notesBox);
    notesEdit_ = new QPlainTextEdit(notesBox);
    notesEdit_->setObjectName(QStringLiteral("notesEdit"));
    notesEdit_->setPlaceholderText(tr("What was this run for? What did you see?"));
    notesEdit_->setEnabled(false);
    saveNotesButton_ = new QPushButton(tr("Save notes"), notesBox);
    saveNotesButton_->setObjectName(QStringLiteral("saveNotesButton"));
    saveNotesButton_->setEnabled(false);
    saveNotesButton_->setToolTip(tr("Notes are also saved when you select another run"));
    notesLayout->addWidget(notesEdit_, 1);
    notesLayout->addWidget(saveNotesButton_, 0, Qt::AlignRight);
    sideLayout->addWidget(detailsBox, 2);
    sideLayout->addWidget(notesBox, 3);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(table_);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({960, 300});

    // Actions.
    inspectButton_ = new QPushButton(tr("Inspect"), this);
    inspectButton_->setObjectName(QStringLiteral("inspectButton"));
    inspectButton_->setToolTip(tr("Open the selected run in the Inspect view (or double-click it)"));
    compareButton_ = new QPushButton(tr("Compare selected"), this);
    compareButton_->setObjectName(QStringLiteral("compareButton"));
    compareButton_->setToolTip(tr("Compare two or more runs; one selected run is compared with its paired runs"));
    resumeButton_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Resume"), this);
    resumeButton_->setObjectName(QStringLiteral("resumeButton"));
    resumeButton_->setToolTip(tr("Continue an interrupted run (with its paired runs) in the Train view"));
    exportButton_ = new QToolButton(this);
    exportButton_->setObjectName(QStringLiteral("exportButton"));
    exportButton_->setText(tr("Export"));
    exportButton_->setToolTip(tr("Export the selected runs"));
    exportButton_->setPopupMode(QToolButton::InstantPopup);
    exportButton_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* exportMenu = new QMenu(exportButton_);
    exportMenu->addAction(tr("Metrics as CSV…"), this, [this] { exportWithDialog("csv"); });
    exportMenu->addAction(tr("Runs as JSON…"), this, [this] { exportWithDialog("json"); });
    exportMenu->addAction(tr("Loss curves as PNG…"), this, [this] { exportWithDialog("png"); });
    exportMenu->addAction(tr("Loss curves as SVG…"), this, [this] { exportWithDialog("svg"); });
    exportButton_->setMenu(exportMenu);
    deleteButton_ = new QPushButton(style()->standardIcon(QStyle::SP_TrashIcon), tr("Delete…"), this);
    deleteButton_->setObjectName(QStringLiteral("deleteButton"));
    deleteButton_->setToolTip(tr("Delete the selected runs with their metrics and checkpoints (Del)"));
    auto* deleteAction = new QAction(this);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetShortcut);
    table_->addAction(deleteAction);
    connect(deleteAction, &QAction::triggered, this, &RunsView::deleteSelectedRuns);

    auto* buttons = new QHBoxLayout();
    buttons->addWidget(inspectButton_);
    buttons->addWidget(compareButton_);
    buttons->addWidget(resumeButton_);
    buttons->addStretch(1);
    buttons->addWidget(exportButton_);
    buttons->addWidget(deleteButton_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addWidget(errorLabel_);
    layout->addWidget(splitter, 1);
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
    connect(inspectButton_, &QPushButton::clicked, this, &RunsView::inspectSelected);
    connect(compareButton_, &QPushButton::clicked, this, &RunsView::compareSelected);
    connect(resumeButton_, &QPushButton::clicked, this, &RunsView::resumeSelected);
    connect(deleteButton_, &QPushButton::clicked, this, &RunsView::deleteSelectedRuns);
    connect(saveNotesButton_, &QPushButton::clicked, this, &RunsView::saveNotes);
    connect(notesEdit_, &QPlainTextEdit::modificationChanged, saveNotesButton_, &QPushButton::setEnabled);

    // The store changes under us while training (another thread or process): reload at most every
    // 1.5 s, and only while shown.
    watcher_ = new QFileSystemWatcher(this);
    watchTimer_ = new QTimer(this);
    watchTimer_->setSingleShot(true);
    watchTimer_->setInterval(1500);
    connect(watchTimer_, &QTimer::timeout, this, [this] {
        if (isVisible()) refresh();
        else dirty_ = true;
    });
    connect(watcher_, &QFileSystemWatcher::fileChanged, this, &RunsView::storeTouched);
    connect(watcher_, &QFileSystemWatcher::directoryChanged, this, &RunsView::storeTouched);

    refresh();
}

RunsView::~RunsView() = default;

RunStore* RunsView::store() {
    if (store_) return store_.get();
    try {
        store_ = std::make_unique<RunStore>(RunStore::open(paths_.dbPath.toStdString()));
        watchStore();
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

void RunsView::watchStore() {
    const QString folder = QFileInfo(paths_.dbPath).absolutePath();
    QStringList wanted{paths_.dbPath, paths_.dbPath + QStringLiteral("-wal")};
    QStringList add;
    for (const QString& f : wanted)
        if (QFileInfo::exists(f) && !watcher_->files().contains(f)) add << f;
    if (!watcher_->directories().contains(folder) && QFileInfo(folder).isDir()) add << folder;
    if (!add.isEmpty()) watcher_->addPaths(add);
}

void RunsView::storeTouched() {
    watchStore();  // the -wal file comes and goes
    if (!watchTimer_->isActive()) watchTimer_->start();
}

void RunsView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (dirty_) refresh();
}

// ----------------------------------------------------------------------------------------- refresh

void RunsView::refresh() {
    filterTimer_->stop();
    // Never pull the rug from under an open tag editor or unsaved notes: try again shortly.
    if (static_cast<RunsTable*>(table_)->editing() || notesEdit_->document()->isModified()) {
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
        for (const RunSummary& r : RunCatalog(*s).runs(filter)) {
            RunRow row;
            row.id = r.id;
            row.name = fromStd(r.name);
            row.kind = fromStd(r.kind);
            row.group = fromStd(r.group);
            row.status = r.status;
            row.steps = r.steps;
            row.created = r.createdAt > 0 ? QDateTime::fromSecsSinceEpoch(r.createdAt) : QDateTime();
            for (const auto& t : r.tags) row.tags << fromStd(t);
            row.notes = fromStd(r.notes);
            if (std::isfinite(r.bestValLoss)) {
                row.bestValLoss = r.bestValLoss;
                row.bestValStep = r.bestValStep;
            }
            // Answer / noise at the last probe step, as the probe report computes them.
            if (r.headline) {
                row.answer = r.headline->answer;
                row.noise = r.headline->noise;
                row.probeStep = r.headline->step;
            }
            rows.push_back(std::move(row));
        }
    } catch (const std::exception& e) {
        showError(tr("Cannot read the run store: %1").arg(fromStd(e.what())));
        return;
    }
    showError(QString());
    model_->setRows(std::move(rows));
    proxy_->sort(table_->horizontalHeader()->sortIndicatorSection(), table_->horizontalHeader()->sortIndicatorOrder());
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

QVector<qint64> RunsView::selectedRunIds() const {
    QVector<qint64> ids;
    QModelIndexList rows = table_->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
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
    table_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
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
    exportButton_->setEnabled(!ids.isEmpty());
    deleteButton_->setEnabled(!ids.isEmpty());
}

void RunsView::updateDetails() {
    const QVector<qint64> ids = selectedRunIds();
    const qint64 shown = ids.size() == 1 ? ids.front() : 0;
    if (shown != notesRunId_) {
        if (notesRunId_ != 0 && notesEdit_->document()->isModified()) saveNotes();
        notesRunId_ = shown;
        const RunRow* row = model_->find(shown);
        const QSignalBlocker block(notesEdit_);
        notesEdit_->setPlainText(row ? row->notes : QString());
        notesEdit_->document()->setModified(false);
        notesEdit_->setEnabled(row != nullptr);
        saveNotesButton_->setEnabled(false);
    }
    if (ids.isEmpty()) {
        detailsTitle_->setText(tr("No run selected"));
        details_->setText(tr("Select a run to see its settings and notes; select several to compare or export them."));
        return;
    }
    if (ids.size() > 1) {
        detailsTitle_->setText(tr("%n runs selected", nullptr, int(ids.size())));
        details_->setText(tr("Compare them, export their metrics or curves, or delete them."));
        return;
    }
    const RunRow* row = model_->find(shown);
    if (!row) return;
    detailsTitle_->setText(row->name);
    QStringList lines;
    const QString kind = row->kind == "diff" ? QStringLiteral("DIFF") : row->kind;
    lines << tr("Run %1 · %2 · %3").arg(row->id).arg(kind, RunsTableModel::statusText(row->status));
    lines << tr("Group: %1").arg(row->group);
    lines << tr("Steps: %1").arg(QLocale().toString(row->steps));
    if (std::isfinite(row->bestValLoss))
        lines << tr("Best val loss: %1 (step %2, ppl %3)")
                     .arg(row->bestValLoss, 0, 'f', 4)
                     .arg(row->bestValStep)
                     .arg(std::exp(row->bestValLoss), 0, 'f', 1);
    if (row->probeStep > 0)
        lines << tr("Last probe (step %1): answer %2 · noise %3").arg(row->probeStep).arg(row->answer, 0, 'f', 3).arg(row->noise, 0, 'f', 3);
    if (row->created.isValid()) lines << tr("Created: %1").arg(QLocale().toString(row->created, QLocale::LongFormat));
    if (RunStore* s = store()) {
        try {
            const RunSummary summary = RunCatalog(*s).run(row->id, /*withResults=*/false);
            if (summary.config) lines << QString() << configSummary(*summary.config);
            const auto checkpoints = s->checkpoints(row->id);
            if (!checkpoints.empty())
                lines << tr("%n checkpoint(s), last at step %1", nullptr, int(checkpoints.size())).arg(checkpoints.back().step);
        } catch (const std::exception&) {
            // deleted meanwhile; the next refresh drops the row
        }
    }
    details_->setText(lines.join('\n'));
}

void RunsView::saveNotes() {
    if (notesRunId_ == 0) return;
    RunStore* s = store();
    if (!s) return;
    const QString notes = notesEdit_->toPlainText();
    try {
        s->setNotes(notesRunId_, notes.toStdString());
    } catch (const std::exception& e) {
        showError(tr("Cannot save the notes: %1").arg(fromStd(e.what())));
        return;
    }
    model_->setNotes(notesRunId_, notes);
    notesEdit_->document()->setModified(false);
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
    Q_EMIT statusMessage(tags.isEmpty() ? tr("Tags cleared") : tr("Tags saved: %1").arg(tags.join(", ")), 2000);
}

// ---------------------------------------------------------------------------------------- actions

QVector<qint64> RunsView::compareTargets() const {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.size() != 1) return ids;
    // One run: its paired runs (same group) make the comparison.
    const RunRow* row = model_->find(ids.front());
    if (!row) return ids;
    QVector<qint64> group;
    for (const RunRow& r : model_->rows())
        if (r.group == row->group) group.push_back(r.id);
    std::sort(group.begin(), group.end());
    return group;
}

void RunsView::inspectSelected() {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.size() == 1) Q_EMIT inspectRequested(ids.front());
}

void RunsView::compareSelected() {
    const QVector<qint64> ids = compareTargets();
    if (ids.size() >= 2) Q_EMIT compareRequested(ids);
}

void RunsView::resumeSelected() {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.size() != 1) return;
    const RunRow* row = model_->find(ids.front());
    if (row && row->status == RunStatus::Interrupted) Q_EMIT resumeRequested(row->id);
}

void RunsView::deleteSelectedRuns() {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.isEmpty()) return;
    QStringList names;
    for (qint64 id : ids) {
        const RunRow* row = model_->find(id);
        if (!row) continue;
        if (row->status == RunStatus::Running) {
            QMessageBox::information(this, tr("Delete runs"),
                                     tr("'%1' is still training. Stop it in the Train view first.").arg(row->name));
            return;
        }
        names << row->name;
    }
    QMessageBox box(QMessageBox::Warning, tr("Delete runs"),
                    tr("Delete %n run(s) with their metrics, probe results and checkpoint files?", nullptr, int(ids.size())),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("confirmDelete"));
    box.setInformativeText(tr("This cannot be undone."));
    box.setDetailedText(names.join('\n'));
    box.setDefaultButton(QMessageBox::Cancel);
    box.button(QMessageBox::Yes)->setText(tr("Delete"));
    if (box.exec() != QMessageBox::Yes) return;

    RunStore* s = store();
    if (!s) return;
    const std::string checkpointRoot = QDir::cleanPath(paths_.checkpointDir).toStdString();
    int deleted = 0, filesRemoved = 0;
    QStringList problems;
    for (qint64 id : ids) {
        try {
            const DeletedRun d = deleteRunWithFiles(*s, id, checkpointRoot);
            filesRemoved += int(d.filesRemoved);
            for (const std::string& p : d.problems) problems << fromStd(p);
            ++deleted;
        } catch (const std::exception& e) {
            problems << fromStd(e.what());
        }
    }
    notesRunId_ = 0;
    refresh();
    if (!problems.isEmpty()) showError(problems.join('\n'));
    Q_EMIT statusMessage(tr("Deleted %n run(s)", nullptr, deleted) + tr(" and %n checkpoint file(s)", nullptr, filesRemoved), 5000);
    Q_EMIT runsChanged();
}

void RunsView::exportWithDialog(const QString& suffix) {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.isEmpty()) {
        Q_EMIT statusMessage(tr("Select the runs to export first"), 4000);
        return;
    }
    const RunRow* first = model_->find(ids.front());
    QString base = first ? (ids.size() > 1 && first->group.size() ? first->group : first->name) : QStringLiteral("runs");
    base.replace('/', '-');
    if (suffix == "png" || suffix == "svg") base += QStringLiteral("-loss");
    if (suffix == "csv") base += QStringLiteral("-metrics");
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    QString filter;
    if (suffix == "csv") filter = tr("Metrics CSV (*.csv)");
    else if (suffix == "json") filter = tr("JSON (*.json)");
    else if (suffix == "png") filter = tr("PNG image (*.png)");
    else if (suffix == "svg") filter = tr("SVG image (*.svg)");
    else filter = tr("Metrics CSV (*.csv);;JSON (*.json);;PNG image (*.png);;SVG image (*.svg)");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export %n run(s)", nullptr, int(ids.size())),
        QDir(dir).filePath(base + '.' + (suffix.isEmpty() ? QStringLiteral("csv") : suffix)), filter);
    if (path.isEmpty()) return;
    QString error;
    if (exportSelectionTo(path, &error)) Q_EMIT statusMessage(tr("Exported to %1").arg(path), 5000);
    else QMessageBox::warning(this, tr("Export"), error);
}

void RunsView::exportSelection() { exportWithDialog(QString()); }

bool RunsView::exportSelectionTo(const QString& path, QString* error) {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.isEmpty()) {
        if (error) *error = tr("no runs selected");
        return false;
    }
    RunStore* s = store();
    if (!s) {
        if (error) *error = errorText();
        return false;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    try {
        std::vector<int64_t> runIds(ids.begin(), ids.end());
        if (suffix == "csv") return writeFile(path, QByteArray::fromStdString(metricsCsv(*s, runIds)), error);
        if (suffix == "json") {
            QByteArray out;
            if (runIds.size() == 1) {
                out = QByteArray::fromStdString(runJson(*s, runIds.front()));
            } else {
                out = "[\n";
                for (size_t i = 0; i < runIds.size(); ++i) {
                    out += QByteArray::fromStdString(runJson(*s, runIds[i]));
                    out += i + 1 < runIds.size() ? ",\n" : "\n";
                }
                out += "]";
            }
            if (!out.endsWith('\n')) out += '\n';
            return writeFile(path, out, error);
        }
        if (suffix == "png" || suffix == "svg") {
            // The curves of the selection, drawn offscreen: by model colour for one paired group, else one
            // colour per run; validation dashed.
            QSet<QString> groups;
            for (qint64 id : ids)
                if (const RunRow* r = model_->find(id)) groups.insert(r->group);
            const bool oneGroup = groups.size() == 1;
            LossChartWidget chart;
            chart.setControlsVisible(false);
            chart.setTitle(oneGroup ? *groups.begin() : tr("Loss"));
            chart.setYAxisTitle(tr("cross-entropy (nats)"));
            int index = 0;
            for (qint64 id : ids) {
                const RunRecord record = s->run(id);
                const QString kind = fromStd(record.kind);
                const QString label = oneGroup ? (kind == "diff" ? QStringLiteral("DIFF") : kind) : fromStd(record.name);
                const QColor color = oneGroup ? TrainView::modelColor(kind) : chartPalette(index);
                ++index;
                for (bool validation : {false, true}) {
                    const QString name = label + (validation ? tr(" val") : tr(" train"));
                    chart.setSeriesStyle(name, color, validation ? Qt::DashLine : Qt::SolidLine);
                    QVector<LossSample> samples;
                    for (const MetricPoint& p : s->metrics(id, validation ? "val_loss" : "train_loss"))
                        samples.push_back({double(p.step), double(p.tokens), p.value});
                    chart.appendSamples(name, samples);
                }
            }
            if (!chart.exportImage(path, QSize(1200, 700))) {
                if (error) *error = tr("cannot write the image '%1'").arg(path);
                return false;
            }
            return true;
        }
    } catch (const std::exception& e) {
        if (error) *error = fromStd(e.what());
        return false;
    }
    if (error) *error = tr("unknown export format '.%1' (use .csv, .json, .png or .svg)").arg(suffix);
    return false;
}

}  // namespace needlescope
