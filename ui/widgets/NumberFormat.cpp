#include "ui/widgets/NumberFormat.h"

#include <cmath>

namespace needlescope {

QString formatValue(double value) {
    if (std::isnan(value)) return QStringLiteral("NaN");
    if (value == 0.0) return QStringLiteral("0");
    const double a = std::fabs(value);
    if (a >= 1e4 || a < 1e-3) return QString::number(value, 'e', 2);
    return QString::number(value, 'g', 3);
}

}  // namespace needlescope
