#include "ui/views/CompareRunStyle.h"

#include "ui/style/Palette.h"

namespace needlescope {

// One colour per compared run (the palette's series order), the same in every chart of the view.
QColor runColor(int index) { return seriesColor(index); }

QString shortName(const RunSource& s) { return QStringLiteral("#%1 %2").arg(s.runId).arg(s.kind); }

}  // namespace needlescope
