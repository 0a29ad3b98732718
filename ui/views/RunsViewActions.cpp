// The Runs view's actions: the buttons, the table's context menu, Inspect / Compare / Resume, tags and
// notes editing, "Probe now", delete and export (the rest of RunsView is in RunsView.cpp).
#include <QAction>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <algorithm>

#include "core/store/RunStore.h"
#include "ui/views/ProbeNowBar.h"
#include "ui/views/RunDetailsPanel.h"
#include "ui/views/RunsColumns.h"
#include "ui/views/RunsDeletion.h"
#include "ui/views/RunsExport.h"
#include "ui/views/RunsTable.h"
#include "ui/views/RunsTableModel.h"
#include "ui/views/RunsView.h"

namespace needlescope {

void RunsView::buildActions() {
    inspectButton_ = new QPushButton(tr("Inspect"), this);
    inspectButton_->setObjectName(QStringLiteral("inspectButton"));
    inspectButton_->setToolTip(tr("Open the selected run in the Inspect view (or double-click it)"));
    compareButton_ = new QPushButton(tr("Compare selected"), this);
    compareButton_->setObjectName(QStringLiteral("compareButton"));
    compareButton_->setToolTip(
        tr("Compare two or more runs; one selected run is compared with its paired runs"));
    resumeButton_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Resume"), this);
    resumeButton_->setObjectName(QStringLiteral("resumeButton"));
    resumeButton_->setToolTip(tr("Continue an interrupted run (with its paired runs) in the Train view"));
    probeButton_ = new QPushButton(tr("Probe now"), this);
    probeButton_->setObjectName(QStringLiteral("probeButton"));
    probeButton_->setToolTip(
        tr("Run the needle probe of the selected runs and their paired runs at their latest checkpoint "
           "(answer and noise attention per depth); the results are stored"));
    exportButton_ = new QToolButton(this);
    exportButton_->setObjectName(QStringLiteral("exportButton"));
    exportButton_->setText(tr("Export"));
    exportButton_->setToolTip(tr("Export the selected runs"));
    exportButton_->setPopupMode(QToolButton::InstantPopup);
    exportButton_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* exportMenu = new QMenu(exportButton_);
    addExportActions(exportMenu);
    exportButton_->setMenu(exportMenu);
    deleteButton_ = new QPushButton(style()->standardIcon(QStyle::SP_TrashIcon), tr("Delete…"), this);
    deleteButton_->setObjectName(QStringLiteral("deleteButton"));
    deleteButton_->setToolTip(tr("Delete the selected runs with their metrics and checkpoints (Del)"));
    auto* deleteAction = new QAction(this);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetShortcut);
    table_->addAction(deleteAction);
    connect(deleteAction, &QAction::triggered, this, &RunsView::deleteSelectedRuns);

    probeBar_ = new ProbeNowBar(paths_, this);
    connect(probeBar_, &ProbeNowBar::statusMessage, this, &RunsView::statusMessage);
    connect(probeBar_, &ProbeNowBar::busyChanged, this, &RunsView::updateButtons);
    connect(probeBar_, &ProbeNowBar::probeStored, this, [this] {
        refresh();  // the new probe in the table and the details
        Q_EMIT runsChanged();
    });

    connect(inspectButton_, &QPushButton::clicked, this, &RunsView::inspectSelected);
    connect(compareButton_, &QPushButton::clicked, this, &RunsView::compareSelected);
    connect(resumeButton_, &QPushButton::clicked, this, &RunsView::resumeSelected);
    connect(probeButton_, &QPushButton::clicked, this, &RunsView::probeSelected);
    connect(deleteButton_, &QPushButton::clicked, this, &RunsView::deleteSelectedRuns);
}

void RunsView::addExportActions(QMenu* menu) {
    menu->addAction(tr("Metrics as CSV…"), this, [this] { exportWithDialog("csv"); });
    menu->addAction(tr("Runs as JSON…"), this, [this] { exportWithDialog("json"); });
    menu->addAction(tr("Loss curves as PNG…"), this, [this] { exportWithDialog("png"); });
    menu->addAction(tr("Loss curves as SVG…"), this, [this] { exportWithDialog("svg"); });
}

QMenu* RunsView::makeContextMenu(QWidget* parent) {
    const QVector<qint64> ids = selectedRunIds();
    const bool one = ids.size() == 1;
    auto* menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("runsContextMenu"));
    auto add = [menu](const QString& name, const QString& text, bool enabled, auto slot) {
        QAction* action = menu->addAction(text, slot);
        action->setObjectName(name);
        action->setEnabled(enabled);
        return action;
    };
    add(QStringLiteral("editTagsAction"), tr("Edit tags…"), one, [this] { editTagsOfSelected(); });
    add(QStringLiteral("editNoteAction"), tr("Edit note…"), one, [this] { editNoteOfSelected(); });
    menu->addSeparator();
    add(QStringLiteral("inspectAction"), tr("Inspect"), one, [this] { inspectSelected(); });
    add(QStringLiteral("compareAction"), tr("Compare"), compareTargets().size() >= 2,
        [this] { compareSelected(); });
    add(QStringLiteral("probeAction"), tr("Probe now"), !ids.isEmpty() && !probeBar_->isBusy(),
        [this] { probeSelected(); });
    menu->addSeparator();
    QMenu* exportMenu = menu->addMenu(tr("Export"));
    exportMenu->menuAction()->setObjectName(QStringLiteral("exportAction"));
    exportMenu->setEnabled(!ids.isEmpty());
    addExportActions(exportMenu);
    menu->addSeparator();
    add(QStringLiteral("deleteAction"), tr("Delete…"), !ids.isEmpty(), [this] { deleteSelectedRuns(); });
    return menu;
}

void RunsView::editTagsOfSelected() {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.size() != 1) return;
    const int row = model_->rowOf(ids.front());
    if (row < 0) return;
    const QModelIndex index = proxy_->mapFromSource(model_->index(row, RunsTableModel::Tags));
    if (table_->isColumnHidden(RunsTableModel::Tags)) table_->setColumnHidden(RunsTableModel::Tags, false);
    table_->setCurrentIndex(index);
    table_->edit(index);
}

void RunsView::editNoteOfSelected() {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.size() != 1) return;
    const RunRow* row = model_->find(ids.front());
    if (!row) return;
    // Unsaved edits in the side panel are the starting text, so none are lost.
    const bool panelEdits = details_->notesRunId() == row->id && details_->notesModified();
    const QString current = panelEdits ? details_->notes() : row->notes;
    bool ok = false;
    const QString note = QInputDialog::getMultiLineText(
        this, tr("Note of %1").arg(row->name), tr("What was this run for? What did you see?"), current, &ok);
    if (!ok || (note == row->notes && !panelEdits)) return;
    RunStore* s = store();
    if (!s) return;
    const qint64 runId = row->id;
    try {
        s->setNotes(runId, note.toStdString());
    } catch (const std::exception& e) {
        showError(tr("Cannot save the notes: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    model_->setNotes(runId, note);
    details_->forgetNotesRun();  // shows the saved note
    updateDetails();
    Q_EMIT statusMessage(tr("Note saved"), 2000);
}

QVector<qint64> RunsView::probeTargets() const {
    QVector<qint64> ids;
    for (qint64 id : selectedRunIds()) {
        const RunRow* row = model_->find(id);
        if (!row) continue;
        for (const RunRow& r : model_->rows())
            if ((r.id == id || r.group == row->group) && !ids.contains(r.id)) ids.push_back(r.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

void RunsView::probeSelected() {
    const QVector<qint64> ids = probeTargets();
    if (ids.isEmpty()) {
        Q_EMIT statusMessage(tr("Select the runs to probe first"), 4000);
        return;
    }
    for (qint64 id : ids) {
        const RunRow* row = model_->find(id);
        if (row && row->status == RunStatus::Running) {
            QMessageBox::information(this, tr("Probe now"),
                                     tr("'%1' is still training. Probe it once it has stopped, or set "
                                        "\"Probe every\" for the next run.")
                                         .arg(row->name));
            return;
        }
    }
    const RunRow* first = model_->find(ids.front());
    const QString what = ids.size() == 1 || !first
                             ? tr("run %1").arg(ids.front())
                             : tr("%n run(s) of %1", nullptr, int(ids.size())).arg(first->group);
    probeBar_->probeRuns(ids, what);
    updateButtons();
}

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
            QMessageBox::information(
                this, tr("Delete runs"),
                tr("'%1' is still training. Stop it in the Train view first.").arg(row->name));
            return;
        }
        names << row->name;
    }
    if (!confirmRunDeletion(this, int(ids.size()), names)) return;

    RunStore* s = store();
    if (!s) return;
    const RunDeletion result = deleteRuns(*s, ids, paths_.checkpointDir);
    details_->forgetNotesRun();
    refresh();
    if (!result.problems.isEmpty()) showError(result.problems.join('\n'));
    Q_EMIT statusMessage(tr("Deleted %n run(s)", nullptr, result.deleted) +
                             tr(" and %n checkpoint file(s)", nullptr, result.filesRemoved),
                         5000);
    Q_EMIT runsChanged();
}

void RunsView::exportWithDialog(const QString& suffix) {
    const QVector<qint64> ids = selectedRunIds();
    if (ids.isEmpty()) {
        Q_EMIT statusMessage(tr("Select the runs to export first"), 4000);
        return;
    }
    const QString path = askExportPath(this, ids, *model_, suffix);
    if (path.isEmpty()) return;
    QString error;
    if (exportSelectionTo(path, &error))
        Q_EMIT statusMessage(tr("Exported to %1").arg(path), 5000);
    else
        QMessageBox::warning(this, tr("Export"), error);
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
    return exportRuns(*s, *model_, ids, path, error);
}

}  // namespace needlescope
