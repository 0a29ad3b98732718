#include "ui/widgets/NumberFormat.h"

#include <cmath>

namespace needlescope {
namespace {

// "1.5e-05" → "1.5e-5", "2e+04" → "2e4": the exponent without its padding.
QString tidyExponent(QString text) {
    const int e = text.indexOf(QLatin1Char('e'));
    if (e < 0) return text;
    QString mantissa = text.left(e);
    QString exponent = text.mid(e + 1);
    const bool negative = exponent.startsWith(QLatin1Char('-'));
    if (exponent.startsWith(QLatin1Char('+')) || negative) exponent.remove(0, 1);
    while (exponent.size() > 1 && exponent.startsWith(QLatin1Char('0'))) exponent.remove(0, 1);
    return mantissa + QLatin1Char('e') + (negative ? QStringLiteral("-") : QString()) + exponent;
}

// "0.012" → ".012", "-0.012" → "-.012".
QString withoutLeadingZero(const QString& text) {
    if (text.startsWith(QLatin1String("0."))) return text.mid(1);
    if (text.startsWith(QLatin1String("-0."))) return QLatin1Char('-') + text.mid(2);
    return text;
}

}  // namespace

QString formatValue(double value) {
    if (std::isnan(value)) return QStringLiteral("NaN");
    if (value == 0.0) return QStringLiteral("0");
    const double a = std::fabs(value);
    if (a >= 1e4 || a < 1e-3) return QString::number(value, 'e', 2);
    return QString::number(value, 'g', 3);
}

QStringList compactForms(double value) {
    QStringList forms{formatValue(value)};
    auto add = [&forms](const QString& form) {
        if (!form.isEmpty() && !forms.contains(form) && form.size() < forms.last().size()) forms << form;
    };
    if (std::isnan(value) || value == 0.0 || std::isinf(value)) return forms;
    const double a = std::fabs(value);
    if (a >= 1e4 || a < 1e-3) {
        add(tidyExponent(QString::number(value, 'e', 1)));
        add(tidyExponent(QString::number(value, 'e', 0)));
    } else {
        for (int digits : {2, 1}) {
            const QString g = QString::number(value, 'g', digits);
            add(g.contains(QLatin1Char('e')) ? tidyExponent(g) : g);
            add(withoutLeadingZero(g));
        }
    }
    return forms;
}

}  // namespace needlescope
