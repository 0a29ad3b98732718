#include "ui/views/TrainFieldEditors.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace needlescope {

namespace {

// Wide enough for anything typed: out-of-range values stay as typed and the form explains them.
constexpr int kAnyIntLow = std::numeric_limits<int>::min() + 1;
constexpr int kAnyIntHigh = std::numeric_limits<int>::max();
constexpr double kAnyDouble = 1e12;

}  // namespace

FieldSpinBox::FieldSpinBox(int lowest, int highest, const QString& special, QWidget* parent)
    : QSpinBox(parent), lowest_(lowest), highest_(highest), special_(special) {
    // The size of an ordinary spin box over the declared range, not over the accepted one.
    setRange(lowest, highest);
    if (!special.isEmpty()) setSpecialValueText(special);
    hint_ = QSpinBox::sizeHint();
    minimumHint_ = QSpinBox::minimumSizeHint();
    setSpecialValueText(QString());
    setRange(kAnyIntLow, kAnyIntHigh);
}

QValidator::State FieldSpinBox::validate(QString& text, int& pos) const {
    if (!special_.isEmpty() && text == special_) return QValidator::Acceptable;
    return QSpinBox::validate(text, pos);
}

int FieldSpinBox::valueFromText(const QString& text) const {
    if (!special_.isEmpty() && text == special_) return lowest_;
    return QSpinBox::valueFromText(text);
}

QString FieldSpinBox::textFromValue(int value) const {
    if (!special_.isEmpty() && value == lowest_) return special_;
    return QSpinBox::textFromValue(value);
}

// The spin box's focus-out reverts text that is not a number (an emptied field): put the typed text back,
// the form explains it in red instead.
void FieldSpinBox::focusOutEvent(QFocusEvent* event) {
    QString typed = lineEdit()->text();
    int pos = 0;
    const bool acceptable = validate(typed, pos) == QValidator::Acceptable;
    typed = lineEdit()->text();
    QSpinBox::focusOutEvent(event);
    if (!acceptable && lineEdit()->text() != typed) lineEdit()->setText(typed);
}

void FieldSpinBox::stepBy(int steps) {
    const qint64 next = qint64(value()) + qint64(steps) * singleStep();
    setValue(int(std::clamp<qint64>(next, lowest_, highest_)));
    selectAll();
}

QAbstractSpinBox::StepEnabled FieldSpinBox::stepEnabled() const {
    if (isReadOnly()) return StepNone;
    StepEnabled enabled = StepNone;
    if (value() > lowest_) enabled |= StepDownEnabled;
    if (value() < highest_) enabled |= StepUpEnabled;
    return enabled;
}

FieldDoubleSpinBox::FieldDoubleSpinBox(double lowest, double highest, int decimals, const QString& special,
                                       QWidget* parent)
    : QDoubleSpinBox(parent), lowest_(lowest), highest_(highest), special_(special) {
    setDecimals(decimals);
    setRange(lowest, highest);
    if (!special.isEmpty()) setSpecialValueText(special);
    hint_ = QDoubleSpinBox::sizeHint();
    minimumHint_ = QDoubleSpinBox::minimumSizeHint();
    setSpecialValueText(QString());
    setRange(-kAnyDouble, kAnyDouble);
}

QValidator::State FieldDoubleSpinBox::validate(QString& text, int& pos) const {
    if (!special_.isEmpty() && text == special_) return QValidator::Acceptable;
    return QDoubleSpinBox::validate(text, pos);
}

double FieldDoubleSpinBox::valueFromText(const QString& text) const {
    if (!special_.isEmpty() && text == special_) return lowest_;
    return QDoubleSpinBox::valueFromText(text);
}

QString FieldDoubleSpinBox::textFromValue(double value) const {
    if (!special_.isEmpty() && value == lowest_) return special_;
    return QDoubleSpinBox::textFromValue(value);
}

void FieldDoubleSpinBox::focusOutEvent(QFocusEvent* event) {
    QString typed = lineEdit()->text();
    int pos = 0;
    const bool acceptable = validate(typed, pos) == QValidator::Acceptable;
    typed = lineEdit()->text();
    QDoubleSpinBox::focusOutEvent(event);
    if (!acceptable && lineEdit()->text() != typed) lineEdit()->setText(typed);
}

void FieldDoubleSpinBox::stepBy(int steps) {
    setValue(std::clamp(value() + steps * singleStep(), lowest_, highest_));
    selectAll();
}

QAbstractSpinBox::StepEnabled FieldDoubleSpinBox::stepEnabled() const {
    if (isReadOnly()) return StepNone;
    StepEnabled enabled = StepNone;
    if (value() > lowest_) enabled |= StepDownEnabled;
    if (value() < highest_) enabled |= StepUpEnabled;
    return enabled;
}

}  // namespace needlescope
