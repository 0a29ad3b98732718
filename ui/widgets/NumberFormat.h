#pragma once
// Short, readable numbers for labels and tooltips: "0.0123", "-1.50e-05", "12.3", "NaN".
#include <QString>

namespace needlescope {

QString formatValue(double value);

}  // namespace needlescope
