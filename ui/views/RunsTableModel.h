#pragma once
// Table model over the run store's runs (plain rows, filled by RunsView): name, kind, group, status,
// steps done / planned, best validation loss, answer / noise attention at the last probe, tags
// (editable), created, and the run config's d_model, layers, context, learning rate, seed and
// curriculum share (NaN / "—" when the config is unreadable).
#include <QAbstractTableModel>
#include <QDateTime>
#include <QStringList>
#include <QVector>

#include "core/store/StoreTypes.h"

namespace needlescope {

struct RunSummary;

struct RunRow {
    qint64 id = 0;
    QString name, kind, group;
    RunStatus status = RunStatus::Running;  // effective: Interrupted when its writer is gone
    qint64 steps = 0;
    qint64 plannedSteps = 0;       // the config's step budget (0: unknown or set in epochs)
    double plannedEpochs = 0;      // the config's epochs when it has no step budget
    double bestValLoss = qQNaN();  // NaN: never evaluated
    qint64 bestValStep = 0;
    double answer = qQNaN();  // signed-normalised attention mass at the last probe step (NaN: no probe)
    double noise = qQNaN();
    qint64 probeStep = 0;
    QDateTime created;
    QStringList tags;
    QString notes;
    // From the run's config (hasConfig false: unreadable, the fields stay as they are).
    bool hasConfig = false;
    qint64 dModel = 0, layers = 0, context = 0;
    double lr = qQNaN();
    qint64 seed = 0;
    double curriculum = qQNaN();
};

// The row of a run as the run catalog summarises it.
RunRow runRowFrom(const RunSummary& summary);

class RunsTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        Name,
        Kind,
        Group,
        Status,
        Steps,
        BestVal,
        Answer,
        Noise,
        Tags,
        Created,
        DModel,  // the config columns
        Layers,
        Context,
        Lr,
        Seed,
        Curriculum,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;  // numbers as numbers, times as seconds
    static constexpr int IdRole = Qt::UserRole + 2;

    explicit RunsTableModel(QObject* parent = nullptr);

    void setRows(QVector<RunRow> rows);
    const QVector<RunRow>& rows() const { return rows_; }
    int rowOf(qint64 id) const;  // -1 when absent
    const RunRow* find(qint64 id) const;
    void setTags(qint64 id, const QStringList& tags);
    void setNotes(qint64 id, const QString& notes);

    static QString statusText(RunStatus status);
    // A stable name per column ("d_model", "lr" …) for settings; -1 for an unknown name.
    static QString columnKey(int column);
    static int columnOfKey(const QString& key);
    // "120 / 300" (done / planned steps), "120 / 2 epochs", or "120" when the plan is unknown.
    static QString stepsText(const RunRow& row);
    static QString headerTip(int column);  // what a column shows (empty for the obvious ones)  // the store's
                                           // name of the status ("interrupted")

    // "a, b ,, c" → {"a", "b", "c"} (trimmed, empty and duplicate tags dropped).
    static QStringList parseTags(const QString& text);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

  Q_SIGNALS:
    // The user edited a run's tags inline; the owner writes them to the store and calls setTags().
    void tagsEdited(qint64 runId, const QStringList& tags);

  private:
    QVector<RunRow> rows_;
};

}  // namespace needlescope
