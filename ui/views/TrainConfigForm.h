#pragma once
// The Train view's left side: preset picker, models, the config fields of TrainFields.h, the data folder
// with what was found there, and one line for config or start errors. Validates on every edit.
#include <QHash>
#include <QString>
#include <QWidget>
#include <optional>

#include "core/train/TrainConfig.h"
#include "ui/settings/AppPaths.h"
#include "ui/views/TrainFields.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QSpinBox;
class QLabel;
class QLineEdit;
QT_END_NAMESPACE

namespace needlescope {

class TrainConfigForm : public QWidget {
    Q_OBJECT
  public:
    explicit TrainConfigForm(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);

    // The selected preset with the form's values on top; `error` gets the validation message (empty when
    // valid): every field outside its range, one per line, else the first config error.
    TrainConfig config(QString* error = nullptr) const;
    void selectPreset(const QString& name);
    void setDataFolder(const QString& path);
    QString dataFolder() const;
    // What blocks Start (empty when nothing): invalid fields, the config, or a data folder that cannot be
    // trained on.
    QString validationMessage() const { return validation_; }
    // The amber warnings shown under the form (empty when none); they do not block Start.
    QString warningMessage() const;

    // While training the fields are read-only.
    void setEditable(bool editable);
    // While a resumed run trains, the (read-only) form shows that run's config and data folder;
    // restoreEdits() brings back the preset, values and folder the form held before (no-op otherwise).
    void showRunConfig(const TrainConfig& config, const QString& dataRoot);
    void restoreEdits();
    void showError(const QString& message);
    void hideError();
    // Settings may have changed: the data folder when none is chosen, the default thread count.
    void applySettings();
    // Revalidates, shows or hides the config error and emits validated().
    void validate();

  Q_SIGNALS:
    void validated();

  private:
    QWidget* buildExperimentBox(QWidget* parent);
    QWidget* buildFieldBox(FieldGroup group, const QString& title, QWidget* parent);
    QWidget* buildDataBox(QWidget* parent);
    void fill(const TrainConfig& config);
    TrainConfig readConfig(QString* error, QHash<QString, QString>* problems) const;
    QString warnings(const TrainConfig& config) const;
    static void markInvalid(QWidget* editor, const QString& problem);
    void checkDataFolder();
    void updateEpochsEnabled();

    needlescope::app::AppPaths paths_;
    TrainConfig preset_;
    QString validation_;  // the first thing that blocks Start: invalid fields, the config, the data
    QString dataError_;
    QWidget* fields_ = nullptr;  // everything editable (disabled while training)
    QComboBox* presetCombo_ = nullptr;
    QCheckBox* standardBox_ = nullptr;
    QCheckBox* diffBox_ = nullptr;
    QCheckBox* diff2Box_ = nullptr;
    QSpinBox* kvHeadsSpin_ = nullptr;     // DIFF V2's h_kv (0 = heads), enabled with diff2Box_
    QComboBox* scheduleCombo_ = nullptr;  // the learning-rate schedule after the warm-up
    QHash<QString, QWidget*> editors_;    // by field object name
    QLineEdit* dataEdit_ = nullptr;
    QLabel* dataInfo_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QLabel* warningLabel_ = nullptr;
    struct HeldEdits {
        QString preset;
        TrainConfig config;
        QString dataFolder;
    };
    std::optional<HeldEdits> held_;  // the user's form while a resumed run's config is shown  // amber:
                                     // allowed but probably a slip (intervals longer than the run)
};

}  // namespace needlescope
