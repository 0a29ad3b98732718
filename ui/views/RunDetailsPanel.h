#pragma once
// The Runs view's side panel: what is selected (one run's record, settings and checkpoints, or a count)
// and the notes of a single selected run, with a Save button. Saving itself is the view's job.
#include <QString>
#include <QVector>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
class QPushButton;
QT_END_NAMESPACE

namespace needlescope {

class RunStore;
class RunsTableModel;

class RunDetailsPanel : public QWidget {
    Q_OBJECT
  public:
    explicit RunDetailsPanel(QWidget* parent = nullptr);

    // Shows the selection; with another single run selected, unsaved notes are first offered for saving
    // (saveNotesRequested). `store` may be null (the settings and checkpoints are then left out).
    void showRuns(const QVector<qint64>& ids, const RunsTableModel& model, RunStore* store);
    qint64 notesRunId() const { return notesRunId_; }
    QString notes() const;
    bool notesModified() const;
    void markNotesSaved();
    // The run whose notes are shown is gone (deleted): nothing left to save.
    void forgetNotesRun() { notesRunId_ = 0; }

  Q_SIGNALS:
    void saveNotesRequested();

  private:
    QLabel* detailsTitle_ = nullptr;
    QLabel* details_ = nullptr;
    QPlainTextEdit* notesEdit_ = nullptr;
    QPushButton* saveNotesButton_ = nullptr;
    qint64 notesRunId_ = 0;
};

}  // namespace needlescope
