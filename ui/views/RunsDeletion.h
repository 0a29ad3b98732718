#pragma once
// Deleting runs from the Runs view: the confirmation, then the runs with their metrics, probe results and
// checkpoint files.
#include <QString>
#include <QStringList>
#include <QVector>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace needlescope {

class RunStore;

// Asks before deleting `count` runs (their `names` listed in the details); false when cancelled.
bool confirmRunDeletion(QWidget* parent, int count, const QStringList& names);

struct RunDeletion {
    int deleted = 0;
    int filesRemoved = 0;
    QStringList problems;  // files that could not be removed, runs that could not be deleted
};
// Deletes every run it can; the checkpoint files are looked for under `checkpointDir`.
RunDeletion deleteRuns(RunStore& store, const QVector<qint64>& runIds, const QString& checkpointDir);

}  // namespace needlescope
