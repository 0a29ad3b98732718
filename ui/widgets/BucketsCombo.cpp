#include "ui/widgets/BucketsCombo.h"

#include <QComboBox>

namespace needlescope {

QComboBox* makeBucketsCombo(const QString& objectName, QWidget* parent) {
    auto* combo = new QComboBox(parent);
    combo->setObjectName(objectName);
    combo->addItem(QComboBox::tr("signed"), int(Normalisation::Signed));
    combo->addItem(QComboBox::tr("absolute"), int(Normalisation::Absolute));
    combo->addItem(QComboBox::tr("raw"), int(Normalisation::Raw));
    combo->setToolTip(
        QComboBox::tr("signed: bucket / signed row total · absolute: |a| / Σ|a| · raw: the weights as used"));
    return combo;
}

Normalisation bucketsComboValue(const QComboBox* combo) {
    return Normalisation(combo->currentData().toInt());
}

}  // namespace needlescope
