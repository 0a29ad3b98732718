#pragma once
// The Inspect view's first row: run, checkpoint, map kind (Effective / A1 / A2), bucket normalisation,
// all query rows, log colours. Built here so the view itself only wires them.
#include <QHash>
#include <QString>
#include <QVector>
#include <QtGlobal>

#include "ui/workers/InspectWorker.h"

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

// The runs a picker offers, newest first, marked when they have no checkpoint or a model too short for a
// needle task (`tooShort`: run id → reason).
void fillRunPicker(QComboBox* picker, const QVector<RunSource>& runs, const QHash<qint64, QString>& tooShort);
bool isInspectable(const RunSource& source, const QHash<qint64, QString>& tooShort);
// The newest run with a checkpoint whose model is not known to be too short; else the newest with a
// checkpoint; else the newest (−1 without runs).
int newestInspectable(const QVector<RunSource>& runs, const QHash<qint64, QString>& tooShort);

}  // namespace needlescope
