#pragma once
// The runs the Inspect and Compare views offer: every run of the store that can be read, newest first.
#include <QString>
#include <QVector>

#include "ui/settings/AppPaths.h"
#include "ui/workers/InspectWorker.h"

namespace needlescope {

// Empty without a store; a store that cannot be opened sets `problem` (a run whose config cannot be
// read is simply left out).
QVector<RunSource> readRunSources(const app::AppPaths& paths, QString* problem = nullptr);

// "#12 quick-diff (diff) · group" (the group only when the name does not already say it).
QString runListText(const RunSource& source);

}  // namespace needlescope
