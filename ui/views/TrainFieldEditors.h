#pragma once
// The Train form's number editors. Each accepts any number the user types (nothing is clamped or
// reverted behind the user's back); the form checks the field's declared range and shows what is wrong.
// The arrows and the wheel stay inside the declared range, and the declared minimum may show a word
// ("off", "by epochs").
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>

namespace needlescope {

class FieldSpinBox : public QSpinBox {
  public:
    FieldSpinBox(int lowest, int highest, const QString& special, QWidget* parent = nullptr);
    int lowest() const { return lowest_; }
    int highest() const { return highest_; }
    // Its line edit, whose textChanged also reports half-typed text (QSpinBox::textChanged does not).
    QLineEdit* textEdit() const { return lineEdit(); }
    QSize sizeHint() const override { return hint_; }
    QSize minimumSizeHint() const override { return minimumHint_; }

  protected:
    QValidator::State validate(QString& text, int& pos) const override;
    int valueFromText(const QString& text) const override;
    void focusOutEvent(QFocusEvent* event) override;
    QString textFromValue(int value) const override;
    void stepBy(int steps) override;
    StepEnabled stepEnabled() const override;

  private:
    int lowest_;
    int highest_;
    QString special_;
    QSize hint_;
    QSize minimumHint_;
};

class FieldDoubleSpinBox : public QDoubleSpinBox {
  public:
    FieldDoubleSpinBox(double lowest, double highest, int decimals, const QString& special,
                       QWidget* parent = nullptr);
    double lowest() const { return lowest_; }
    double highest() const { return highest_; }
    QLineEdit* textEdit() const { return lineEdit(); }
    QSize sizeHint() const override { return hint_; }
    QSize minimumSizeHint() const override { return minimumHint_; }

  protected:
    QValidator::State validate(QString& text, int& pos) const override;
    double valueFromText(const QString& text) const override;
    void focusOutEvent(QFocusEvent* event) override;
    QString textFromValue(double value) const override;
    void stepBy(int steps) override;
    StepEnabled stepEnabled() const override;

  private:
    double lowest_;
    double highest_;
    QString special_;
    QSize hint_;
    QSize minimumHint_;
};

}  // namespace needlescope
