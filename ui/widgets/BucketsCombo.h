#pragma once
// The "Buckets" choice every probe view offers: signed, absolute or raw normalisation of the answer / noise
// buckets (the Normalisation value as each item's data), with the tooltip that says what each means.
#include <QString>

#include "core/probe/Buckets.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QWidget;
QT_END_NAMESPACE

namespace needlescope {

QComboBox* makeBucketsCombo(const QString& objectName, QWidget* parent);
Normalisation bucketsComboValue(const QComboBox* combo);

}  // namespace needlescope
