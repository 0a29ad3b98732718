#include "ui/style/Palette.h"

#include <QHash>
#include <algorithm>
#include <cstdlib>

namespace needlescope {

QColor okabeIto(OkabeIto colour) {
    switch (colour) {
        case OkabeIto::Blue:
            return QColor(0x00, 0x72, 0xB2);
        case OkabeIto::Vermillion:
            return QColor(0xD5, 0x5E, 0x00);
        case OkabeIto::BluishGreen:
            return QColor(0x00, 0x9E, 0x73);
        case OkabeIto::ReddishPurple:
            return QColor(0xCC, 0x79, 0xA7);
        case OkabeIto::Orange:
            return QColor(0xE6, 0x9F, 0x00);
        case OkabeIto::SkyBlue:
            return QColor(0x56, 0xB4, 0xE9);
        case OkabeIto::Black:
            return QColor(0x00, 0x00, 0x00);
        case OkabeIto::Yellow:
            return QColor(0xF0, 0xE4, 0x42);
    }
    return QColor(0x00, 0x00, 0x00);
}

QColor seriesColor(int index) { return okabeIto(static_cast<OkabeIto>(std::abs(index) % 8)); }

QColor modelColor(const QString& kind) {
    if (kind.compare(QLatin1String("standard"), Qt::CaseInsensitive) == 0) return okabeIto(OkabeIto::Blue);
    if (kind.compare(QLatin1String("diff"), Qt::CaseInsensitive) == 0) return okabeIto(OkabeIto::Vermillion);
    if (kind.compare(QLatin1String("diff2"), Qt::CaseInsensitive) == 0)
        return okabeIto(OkabeIto::BluishGreen);
    return seriesColor(2 + static_cast<int>(qHash(kind) % 5));
}

QColor modelShade(const QString& kind, int ordinal) {
    const QColor base = modelColor(kind);
    if (ordinal <= 0) return base;
    // 1: darker, 2: lighter, 3: darker still, 4: lighter still, … (bounded so lines stay visible on white).
    const int step = std::min((ordinal + 1) / 2, 3);
    return ordinal % 2 == 1 ? base.darker(100 + 35 * step) : base.lighter(100 + 25 * step);
}

QString kindLabel(const QString& kind) {
    if (kind == QLatin1String("diff")) return QStringLiteral("DIFF");
    if (kind == QLatin1String("diff2")) return QStringLiteral("DIFF V2");
    return kind;
}

QColor errorColor() { return QColor(0xB2, 0x18, 0x2B); }
QColor successColor() { return QColor(0x1B, 0x78, 0x37); }
QColor warningColor() { return QColor(0xB2, 0x6B, 0x00); }
QColor activeColor() { return okabeIto(OkabeIto::Blue); }
QColor mutedColor() { return QColor(0x66, 0x66, 0x66); }

QString textColorStyle(const QColor& color) { return QStringLiteral("color: %1;").arg(color.name()); }

}  // namespace needlescope
