#pragma once
// File ▸ Export (Ctrl+E) while the Compare view is current: the compared runs, not the Runs view's
// selection. CSV and JSON as the Runs view writes them; PNG and SVG are the Compare loss chart as shown
// (its colours by model kind, smoothing, log-y and x axis).
#include <QString>
#include <QVector>

#include "ui/settings/AppPaths.h"
#include "ui/workers/InspectWorker.h"

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace needlescope {

class LossChartWidget;

// Writes `runs` to `path` in the format its suffix names; `error` gets the reason on failure.
bool exportComparedRuns(const app::AppPaths& paths, const QVector<RunSource>& runs, LossChartWidget& chart,
                        const QString& path, QString* error);
// Asks where to save `runs` (any of the formats), proposing a name from their group. Empty when cancelled.
QString askComparedExportPath(QWidget* parent, const QVector<RunSource>& runs);

}  // namespace needlescope
