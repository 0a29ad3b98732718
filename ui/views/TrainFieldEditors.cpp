#include "ui/views/TrainFieldEditors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace needlescope {

namespace {

// Wide enough for anything typed: out-of-range values stay as typed and the form explains them.
constexpr int kAnyIntLow = std::numeric_limits<int>::min() + 1;
constexpr int kAnyIntHigh = std::numeric_limits<int>::max();
constexpr double kAnyDouble = 1e12;

}  // namespace

template <class Base, class Value>
FieldSpin<Base, Value>::FieldSpin(Value lowest, Value highest, int decimals, const QString& special,
                                  QWidget* parent)
    : Base(parent), lowest_(lowest), highest_(highest), special_(special) {
    if constexpr (std::is_same_v<Value, double>) Base::setDecimals(decimals);
    // The size of an ordinary spin box over the declared range, not over the accepted one.
    Base::setRange(lowest, highest);
    if (!special.isEmpty()) Base::setSpecialValueText(special);
    hint_ = Base::sizeHint();
    minimumHint_ = Base::minimumSizeHint();
    Base::setSpecialValueText(QString());
    if constexpr (std::is_same_v<Value, double>)
        Base::setRange(-kAnyDouble, kAnyDouble);
    else
        Base::setRange(kAnyIntLow, kAnyIntHigh);
}

template <class Base, class Value>
QValidator::State FieldSpin<Base, Value>::validate(QString& text, int& pos) const {
    if (!special_.isEmpty() && text == special_) return QValidator::Acceptable;
    return Base::validate(text, pos);
}

template <class Base, class Value>
Value FieldSpin<Base, Value>::valueFromText(const QString& text) const {
    if (!special_.isEmpty() && text == special_) return lowest_;
    return Base::valueFromText(text);
}

template <class Base, class Value>
QString FieldSpin<Base, Value>::textFromValue(Value value) const {
    if (!special_.isEmpty() && value == lowest_) return special_;
    return Base::textFromValue(value);
}

// The spin box's focus-out reverts text that is not a number (an emptied field): put the typed text back,
// the form explains it in red instead.
template <class Base, class Value>
void FieldSpin<Base, Value>::focusOutEvent(QFocusEvent* event) {
    QString typed = Base::lineEdit()->text();
    int pos = 0;
    const bool acceptable = validate(typed, pos) == QValidator::Acceptable;
    typed = Base::lineEdit()->text();
    Base::focusOutEvent(event);
    if (!acceptable && Base::lineEdit()->text() != typed) Base::lineEdit()->setText(typed);
}

template <class Base, class Value>
void FieldSpin<Base, Value>::stepBy(int steps) {
    if constexpr (std::is_same_v<Value, double>) {
        Base::setValue(std::clamp(Base::value() + steps * Base::singleStep(), lowest_, highest_));
    } else {  // in 64 bits: a step past INT_MAX must not wrap
        const qint64 next = qint64(Base::value()) + qint64(steps) * Base::singleStep();
        Base::setValue(int(std::clamp<qint64>(next, lowest_, highest_)));
    }
    Base::selectAll();
}

template <class Base, class Value>
QAbstractSpinBox::StepEnabled FieldSpin<Base, Value>::stepEnabled() const {
    if (Base::isReadOnly()) return QAbstractSpinBox::StepNone;
    QAbstractSpinBox::StepEnabled enabled = QAbstractSpinBox::StepNone;
    if (Base::value() > lowest_) enabled |= QAbstractSpinBox::StepDownEnabled;
    if (Base::value() < highest_) enabled |= QAbstractSpinBox::StepUpEnabled;
    return enabled;
}

template class FieldSpin<QSpinBox, int>;
template class FieldSpin<QDoubleSpinBox, double>;

}  // namespace needlescope
