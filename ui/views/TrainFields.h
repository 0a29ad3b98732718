#pragma once
// The Train form's config fields, each declared once: object name, label, tooltip, editor kind and range,
// and how its value is read from and written to a TrainConfig. TrainConfigForm builds, fills and reads
// its editors from this table alone.
#include <QString>
#include <QtGlobal>
#include <functional>
#include <vector>

#include "core/train/TrainConfig.h"

QT_BEGIN_NAMESPACE
class QObject;
class QWidget;
QT_END_NAMESPACE

namespace needlescope {

enum class FieldGroup { Model, Training };
// Int: a QSpinBox · Decimal: a QDoubleSpinBox · Scientific: a QLineEdit taking numbers such as 3e-4.
// None of them clamps or reverts what is typed: fieldProblem() says what is wrong instead.
enum class FieldEditor { Int, Decimal, Scientific };

struct TrainField {
    const char* objectName;  // the editor's object name (tests look editors up by it)
    const char* label;       // translated in the TrainConfigForm context
    const char* tip;         // tooltip of the editor and its label (nullptr: none)
    FieldGroup group;
    FieldEditor editor;
    double minimum;  // Scientific: exclusive (the value must be above it)
    double maximum;
    double step;
    int decimals;             // Decimal and Scientific editors
    const char* specialText;  // shown at the minimum (nullptr: none)
    double (*read)(const TrainConfig&);
    void (*write)(TrainConfig&, double);
};

// The fields in form order: the Model group, then the Training group, two per grid row.
const std::vector<TrainField>& trainFields();

// The editor a field declares, configured (range, step, tooltip, object name).
QWidget* createFieldEditor(const TrainField& field, QWidget* parent);
void setFieldValue(QWidget* editor, const TrainField& field, double value);
// Empty when the editor holds a number within the field's range (stored in *value); otherwise a message
// naming the field and its valid range (and what was typed), for the form to show in red.
QString fieldProblem(const QWidget* editor, const TrainField& field, double* value);
// Calls `onEdit` whenever the user (or code) changes the editor's value.
void connectFieldEdited(QWidget* editor, const TrainField& field, QObject* context,
                        std::function<void()> onEdit);

}  // namespace needlescope
