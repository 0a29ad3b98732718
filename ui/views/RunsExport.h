#pragma once
// Exports of selected runs, by file suffix: .csv (their metrics), .json (their run records), .png / .svg
// (their loss curves, drawn offscreen). Used by the Runs view's Export menu.
#include <QString>
#include <QVector>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace needlescope {

class RunStore;
class RunsTableModel;

// Asks where to save `runIds` as `suffix` (csv, json, png, svg; empty: any of them), proposing a name
// from the run or group in the folder of the last export. Empty when cancelled.
QString askExportPath(QWidget* parent, const QVector<qint64>& runIds, const RunsTableModel& model,
                      const QString& suffix);
// Writes `runIds` to `path` in the format its suffix names; `error` gets the reason on failure.
bool exportRuns(RunStore& store, const RunsTableModel& model, const QVector<qint64>& runIds,
                const QString& path, QString* error);

}  // namespace needlescope
