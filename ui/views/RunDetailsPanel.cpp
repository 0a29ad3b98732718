#include "ui/views/RunDetailsPanel.h"

#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>
#include <exception>

#include "core/probe/RunCatalog.h"
#include "core/store/RunStore.h"
#include "ui/style/Palette.h"
#include "ui/views/RunsTableModel.h"

namespace needlescope {

namespace {

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
                 .arg(t.steps > 0 ? QObject::tr("%1 steps").arg(t.steps)
                                  : QObject::tr("%1 epochs").arg(t.epochs))
                 .arg(t.optimizer.lr)
                 .arg(t.curriculumFraction);
    if (!c.dataLayout.empty()) lines << QObject::tr("data: %1").arg(QString::fromStdString(c.dataLayout));
    return lines.join('\n');
}

}  // namespace

RunDetailsPanel::RunDetailsPanel(QWidget* parent) : QWidget(parent) {
    setMinimumWidth(260);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* detailsBox = new QGroupBox(tr("Run"), this);
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
    auto* notesBox = new QGroupBox(tr("Notes"), this);
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
    layout->addWidget(detailsBox, 2);
    layout->addWidget(notesBox, 3);

    connect(saveNotesButton_, &QPushButton::clicked, this, &RunDetailsPanel::saveNotesRequested);
    connect(notesEdit_, &QPlainTextEdit::modificationChanged, saveNotesButton_, &QPushButton::setEnabled);
}

QString RunDetailsPanel::notes() const { return notesEdit_->toPlainText(); }
bool RunDetailsPanel::notesModified() const { return notesEdit_->document()->isModified(); }
void RunDetailsPanel::markNotesSaved() { notesEdit_->document()->setModified(false); }

void RunDetailsPanel::showRuns(const QVector<qint64>& ids, const RunsTableModel& model, RunStore* store) {
    const qint64 shown = ids.size() == 1 ? ids.front() : 0;
    if (shown != notesRunId_) {
        if (notesRunId_ != 0 && notesModified()) Q_EMIT saveNotesRequested();
        notesRunId_ = shown;
        const RunRow* row = model.find(shown);
        const QSignalBlocker block(notesEdit_);
        notesEdit_->setPlainText(row ? row->notes : QString());
        notesEdit_->document()->setModified(false);
        notesEdit_->setEnabled(row != nullptr);
        saveNotesButton_->setEnabled(false);
    }
    if (ids.isEmpty()) {
        detailsTitle_->setText(tr("No run selected"));
        details_->setText(
            tr("Select a run to see its settings and notes; select several to compare or export them."));
        return;
    }
    if (ids.size() > 1) {
        detailsTitle_->setText(tr("%n runs selected", nullptr, int(ids.size())));
        details_->setText(tr("Compare them, export their metrics or curves, or delete them."));
        return;
    }
    const RunRow* row = model.find(shown);
    if (!row) return;
    detailsTitle_->setText(row->name);
    QStringList lines;
    lines << tr("Run %1 · %2 · %3")
                 .arg(row->id)
                 .arg(kindLabel(row->kind), RunsTableModel::statusText(row->status));
    lines << tr("Group: %1").arg(row->group);
    lines << tr("Steps: %1").arg(RunsTableModel::stepsText(*row));
    if (std::isfinite(row->bestValLoss))
        lines << tr("Best val loss: %1 (step %2, ppl %3)")
                     .arg(row->bestValLoss, 0, 'f', 4)
                     .arg(row->bestValStep)
                     .arg(std::exp(row->bestValLoss), 0, 'f', 1);
    if (row->probeStep > 0)
        lines << tr("Last probe (step %1): answer %2 · noise %3")
                     .arg(row->probeStep)
                     .arg(row->answer, 0, 'f', 3)
                     .arg(row->noise, 0, 'f', 3);
    else
        lines << tr("Never probed: \"Probe now\" measures answer and noise attention per needle depth");
    if (row->created.isValid())
        lines << tr("Created: %1").arg(QLocale().toString(row->created, QLocale::LongFormat));
    if (store) {
        try {
            const RunSummary summary = RunCatalog(*store).run(row->id, /*withResults=*/false);
            if (summary.config) lines << QString() << configSummary(*summary.config);
            const auto checkpoints = store->checkpoints(row->id);
            if (!checkpoints.empty())
                lines << tr("%n checkpoint(s), last at step %1", nullptr, int(checkpoints.size()))
                             .arg(checkpoints.back().step);
        } catch (const std::exception&) {
            // deleted meanwhile; the next refresh drops the row
        }
    }
    details_->setText(lines.join('\n'));
}

}  // namespace needlescope
