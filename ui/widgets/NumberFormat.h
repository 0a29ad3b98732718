#pragma once
// Short, readable numbers for labels and tooltips: "0.0123", "-1.50e-05", "12.3", "NaN".
#include <QString>
#include <QStringList>

namespace needlescope {

QString formatValue(double value);

// The same value in ever shorter forms, longest first, for cells too narrow for formatValue:
// -0.0123 → "-0.0123", "-0.012", "-.012", "-.01"; -1.5e-05 → "-1.50e-05", "-1.5e-5", "-2e-5".
// Every form rounds the value (none truncates it to a different order of magnitude).
QStringList compactForms(double value);

}  // namespace needlescope
