#include "ui/views/CompareRunStyle.h"

#include "ui/style/Palette.h"

namespace needlescope {

QColor runColor(const QVector<RunSource>& runs, int index) {
    if (index < 0 || index >= runs.size()) return modelColor(QString());
    int ordinal = 0;
    for (int i = 0; i < index; ++i) ordinal += runs[i].kind == runs[index].kind ? 1 : 0;
    return modelShade(runs[index].kind, ordinal);
}

QString shortName(const RunSource& s) { return QStringLiteral("#%1 %2").arg(s.runId).arg(s.kind); }

}  // namespace needlescope
