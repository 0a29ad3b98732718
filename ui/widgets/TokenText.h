#pragma once
// How a token piece is shown on screen: control characters made visible, empty pieces marked.
#include <QString>

namespace needlescope {

inline QString visibleToken(const QString& piece) {
    if (piece.isEmpty()) return QStringLiteral("∅");
    QString s = piece;
    s.replace(QLatin1Char('\n'), QStringLiteral("↵"));
    s.replace(QLatin1Char('\t'), QStringLiteral("→"));
    s.replace(QLatin1Char('\r'), QString());
    return s.isEmpty() ? QStringLiteral("∅") : s;
}

}  // namespace needlescope
