#pragma once
// How the Compare view tells its runs apart: the colour of each run's model kind (as in every other view),
// a shade of it when several runs of one kind are compared, the same in every chart and in the run list;
// and a short name for legends.
#include <QColor>
#include <QString>
#include <QVector>

#include "ui/workers/InspectWorker.h"

namespace needlescope {

// The colour of runs[index]: modelShade(kind, how many runs of its kind come before it in `runs`).
QColor runColor(const QVector<RunSource>& runs, int index);
QString shortName(const RunSource& s);  // "#12 diff"

}  // namespace needlescope
