#include "ui/views/CompareRunStyle.h"

namespace needlescope {

// Okabe–Ito: one colour per compared run, the same in every chart of the view.
QColor runColor(int index) {
    static const QColor colors[] = {QColor(0x00, 0x72, 0xB2), QColor(0xD5, 0x5E, 0x00),
                                    QColor(0x00, 0x9E, 0x73), QColor(0xCC, 0x79, 0xA7),
                                    QColor(0xE6, 0x9F, 0x00), QColor(0x56, 0xB4, 0xE9)};
    return colors[index % 6];
}

QString shortName(const RunSource& s) { return QStringLiteral("#%1 %2").arg(s.runId).arg(s.kind); }

}  // namespace needlescope
