#pragma once
// How the Compare view tells its runs apart: one colour per compared run, the same in every chart and in
// the run list, and a short name for legends.
#include <QColor>
#include <QString>

#include "ui/workers/InspectWorker.h"

namespace needlescope {

QColor runColor(int index);             // by position among the compared runs
QString shortName(const RunSource& s);  // "#12 diff"

}  // namespace needlescope
