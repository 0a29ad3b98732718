#pragma once
// The Inspect view's first row: run, checkpoint, map kind (Effective / A1 / A2), bucket normalisation,
// all query rows, log colours. Built here so the view itself only wires them.
#include <QtGlobal>

QT_BEGIN_NAMESPACE
class QButtonGroup;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QToolButton;
class QWidget;
QT_END_NAMESPACE

namespace needlescope {

struct InspectTopBar {
    QHBoxLayout* layout = nullptr;
    QComboBox* run = nullptr;
    QComboBox* checkpoint = nullptr;
    QButtonGroup* mapGroup = nullptr;  // ids are MapKind values
    QToolButton* mapButtons[3] = {nullptr, nullptr, nullptr};
    QComboBox* norm = nullptr;  // item data: Normalisation
    QCheckBox* allRows = nullptr;
    QCheckBox* symLog = nullptr;
};

// The widgets are children of `owner`; the layout is not yet added anywhere.
InspectTopBar buildInspectTopBar(QWidget* owner);

}  // namespace needlescope
