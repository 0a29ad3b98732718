#pragma once
// The Train form's number editors. Each accepts any number the user types (nothing is clamped or
// reverted behind the user's back); the form checks the field's declared range and shows what is wrong.
// The arrows and the wheel stay inside the declared range, and the declared minimum may show a word
// ("off", "by epochs").
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>

namespace needlescope {

// One implementation for both spin boxes: Base is QSpinBox (Value int) or QDoubleSpinBox (Value double).
template <class Base, class Value>
class FieldSpin : public Base {
  public:
    // `decimals` only matters for QDoubleSpinBox.
    FieldSpin(Value lowest, Value highest, int decimals, const QString& special, QWidget* parent = nullptr);
    Value lowest() const { return lowest_; }
    Value highest() const { return highest_; }
    // Its line edit, whose textChanged also reports half-typed text (QSpinBox::textChanged does not).
    QLineEdit* textEdit() const { return Base::lineEdit(); }
    QSize sizeHint() const override { return hint_; }
    QSize minimumSizeHint() const override { return minimumHint_; }

  protected:
    QValidator::State validate(QString& text, int& pos) const override;
    Value valueFromText(const QString& text) const override;
    void focusOutEvent(QFocusEvent* event) override;
    QString textFromValue(Value value) const override;
    void stepBy(int steps) override;
    QAbstractSpinBox::StepEnabled stepEnabled() const override;

  private:
    Value lowest_;
    Value highest_;
    QString special_;
    QSize hint_;
    QSize minimumHint_;
};

using FieldSpinBox = FieldSpin<QSpinBox, int>;
using FieldDoubleSpinBox = FieldSpin<QDoubleSpinBox, double>;

extern template class FieldSpin<QSpinBox, int>;
extern template class FieldSpin<QDoubleSpinBox, double>;

}  // namespace needlescope
