#include "ui/views/TrainConfigForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "core/data/Corpus.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/style/Palette.h"

namespace needlescope {

namespace {

// "label [field]" at (row, pair) of a two-pair-per-row grid; the label shares the field's tooltip.
void addPair(QGridLayout* grid, int row, int pair, const QString& text, QWidget* field) {
    auto* label = new QLabel(text, field->parentWidget());
    label->setBuddy(field);
    label->setToolTip(field->toolTip());
    field->setMinimumWidth(72);
    grid->addWidget(label, row, pair * 2);
    grid->addWidget(field, row, pair * 2 + 1);
    grid->setColumnStretch(pair * 2 + 1, 1);
    if (pair == 1) grid->setColumnMinimumWidth(2, 0);
}

}  // namespace

TrainConfigForm::TrainConfigForm(const app::AppPaths& paths, QWidget* parent)
    : QWidget(parent), paths_(paths) {
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    fields_ = new QWidget(scroll);
    auto* fieldsLayout = new QVBoxLayout(fields_);
    fieldsLayout->setContentsMargins(0, 0, 4, 0);
    fieldsLayout->addWidget(buildExperimentBox(fields_));
    fieldsLayout->addWidget(buildFieldBox(FieldGroup::Model, tr("Model"), fields_));
    fieldsLayout->addWidget(buildFieldBox(FieldGroup::Training, tr("Training"), fields_));
    fieldsLayout->addWidget(buildDataBox(fields_));
    fieldsLayout->addStretch(1);
    scroll->setWidget(fields_);

    errorLabel_ = new QLabel(this);
    errorLabel_->setObjectName(QStringLiteral("errorLabel"));
    errorLabel_->setWordWrap(true);
    errorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLabel_->setStyleSheet(textColorStyle(errorColor()));
    errorLabel_->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll, 1);
    layout->addWidget(errorLabel_);

    // The preset last used, else quick — or the first one.
    QStringList names;
    for (const auto& n : presetNames()) names << QString::fromStdString(n);
    const QString last = QSettings().value(app::kSettingTrainLastPreset).toString();
    const QString initial = names.contains(last)      ? last
                            : names.contains("quick") ? QStringLiteral("quick")
                                                      : names.value(0);
    selectPreset(initial);

    // Data folder: the --data flag, else the folder last trained on, else the documented search order.
    QString data = paths_.dataFlag;
    if (data.isEmpty()) data = QSettings().value(app::kSettingTrainLastDataDir).toString();
    if (data.isEmpty()) {
        try {
            app::AppPaths search = paths_;
            search.dataFlag.clear();
            data = search.locateData();
        } catch (const std::exception&) {
            data.clear();  // checkDataFolder() explains what is missing
        }
    }
    setDataFolder(data);
}

QWidget* TrainConfigForm::buildExperimentBox(QWidget* parent) {
    auto* box = new QGroupBox(tr("Experiment"), parent);
    auto* form = new QFormLayout(box);
    presetCombo_ = new QComboBox(box);
    presetCombo_->setObjectName(QStringLiteral("presetCombo"));
    for (const auto& n : presetNames()) presetCombo_->addItem(QString::fromStdString(n));
    presetCombo_->setToolTip(
        tr("tiny: seconds (tests) · quick: CPU demo, minutes · small · seed: the prior study · "
           "retrieval: quick + needle-task curriculum"));
    form->addRow(tr("Preset"), presetCombo_);
    auto* models = new QWidget(box);
    auto* modelsRow = new QHBoxLayout(models);
    modelsRow->setContentsMargins(0, 0, 0, 0);
    standardBox_ = new QCheckBox(tr("Standard"), models);
    standardBox_->setObjectName(QStringLiteral("standardBox"));
    diffBox_ = new QCheckBox(tr("DIFF"), models);
    diffBox_->setObjectName(QStringLiteral("diffBox"));
    modelsRow->addWidget(standardBox_);
    modelsRow->addWidget(diffBox_);
    modelsRow->addStretch(1);
    form->addRow(tr("Models"), models);

    connect(presetCombo_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        if (!name.isEmpty()) selectPreset(name);
    });
    for (QCheckBox* check : {standardBox_, diffBox_})
        connect(check, &QCheckBox::toggled, this, &TrainConfigForm::validate);
    return box;
}

QWidget* TrainConfigForm::buildFieldBox(FieldGroup group, const QString& title, QWidget* parent) {
    auto* box = new QGroupBox(title, parent);
    auto* grid = new QGridLayout(box);
    int index = 0;
    for (const TrainField& field : trainFields()) {
        if (field.group != group) continue;
        QWidget* editor = createFieldEditor(field, box);
        addPair(grid, index / 2, index % 2, tr(field.label), editor);
        connectFieldEdited(editor, field, this, [this] { validate(); });
        editors_.insert(QString::fromLatin1(field.objectName), editor);
        ++index;
    }
    return box;
}

QWidget* TrainConfigForm::buildDataBox(QWidget* parent) {
    auto* box = new QGroupBox(tr("Data"), parent);
    auto* layout = new QVBoxLayout(box);
    auto* row = new QHBoxLayout();
    dataEdit_ = new QLineEdit(box);
    dataEdit_->setObjectName(QStringLiteral("dataEdit"));
    dataEdit_->setPlaceholderText(tr("WikiText folder or train.txt/valid.txt folder"));
    dataEdit_->setClearButtonEnabled(true);
    auto* browse = new QPushButton(tr("Browse…"), box);
    row->addWidget(dataEdit_, 1);
    row->addWidget(browse);
    layout->addLayout(row);
    dataInfo_ = new QLabel(box);
    dataInfo_->setObjectName(QStringLiteral("dataInfo"));
    dataInfo_->setWordWrap(true);
    dataInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(dataInfo_);

    // The folder is checked shortly after typing stops.
    auto* timer = new QTimer(this);
    timer->setSingleShot(true);
    timer->setInterval(250);
    connect(timer, &QTimer::timeout, this, &TrainConfigForm::checkDataFolder);
    connect(dataEdit_, &QLineEdit::textChanged, timer, qOverload<>(&QTimer::start));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Corpus folder"), dataEdit_->text());
        if (!dir.isEmpty()) setDataFolder(dir);
    });
    return box;
}

void TrainConfigForm::selectPreset(const QString& name) {
    try {
        preset_ = loadPreset(name.toStdString());
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return;
    }
    if (presetCombo_->currentText() != name) {
        const QSignalBlocker block(presetCombo_);
        presetCombo_->setCurrentText(name);
    }
    QSettings().setValue(app::kSettingTrainLastPreset, name);
    fill(preset_);
}

void TrainConfigForm::fill(const TrainConfig& c) {
    const QList<QWidget*> editors = fields_->findChildren<QWidget*>();
    for (QWidget* w : editors) w->blockSignals(true);
    standardBox_->setChecked(std::find(c.kinds.begin(), c.kinds.end(), ModelKind::Standard) != c.kinds.end());
    diffBox_->setChecked(std::find(c.kinds.begin(), c.kinds.end(), ModelKind::Diff) != c.kinds.end());
    for (const TrainField& field : trainFields())
        setFieldValue(editors_.value(QString::fromLatin1(field.objectName)), field, field.read(c));
    for (QWidget* w : editors) w->blockSignals(false);
    validate();
}

TrainConfig TrainConfigForm::config(QString* error) const {
    TrainConfig c = preset_;
    c.kinds.clear();
    if (standardBox_->isChecked()) c.kinds.push_back(ModelKind::Standard);
    if (diffBox_->isChecked()) c.kinds.push_back(ModelKind::Diff);
    QString message;
    for (const TrainField& field : trainFields()) {
        double value = 0;
        if (fieldValue(editors_.value(QString::fromLatin1(field.objectName)), field, &value))
            field.write(c, value);
        else if (message.isEmpty())
            message = tr(field.invalidText);
    }
    if (message.isEmpty())
        if (auto err = c.validationError()) message = QString::fromStdString(*err);
    if (error) *error = message;
    return c;
}

void TrainConfigForm::validate() {
    config(&validation_);
    updateEpochsEnabled();
    if (validation_.isEmpty()) {
        errorLabel_->clear();
        errorLabel_->hide();
    } else {
        showError(tr("Config: %1").arg(validation_));
    }
    Q_EMIT validated();
}

void TrainConfigForm::showError(const QString& message) {
    errorLabel_->setText(message);
    errorLabel_->show();
}

void TrainConfigForm::hideError() { errorLabel_->hide(); }

void TrainConfigForm::setEditable(bool editable) {
    fields_->setEnabled(editable);
    updateEpochsEnabled();
}

// Epochs count only while steps is 0.
void TrainConfigForm::updateEpochsEnabled() {
    auto* steps = static_cast<QSpinBox*>(editors_.value(QStringLiteral("stepsSpin")));
    editors_.value(QStringLiteral("epochsSpin"))->setEnabled(steps->value() == 0 && fields_->isEnabled());
}

void TrainConfigForm::applySettings() {
    if (dataFolder().isEmpty()) {
        const QString setting = QSettings().value(app::kSettingDataDir).toString();
        if (!setting.isEmpty())
            setDataFolder(setting);
        else
            checkDataFolder();
    }
    auto* threads = static_cast<QSpinBox*>(editors_.value(QStringLiteral("threadsSpin")));
    if (preset_.threads == 0 && threads->value() == 0)
        threads->setValue(std::max(0, QSettings().value(app::kSettingThreads, 0).toInt()));
}

void TrainConfigForm::setDataFolder(const QString& path) {
    dataEdit_->setText(path);
    checkDataFolder();
}

QString TrainConfigForm::dataFolder() const { return dataEdit_->text().trimmed(); }

void TrainConfigForm::checkDataFolder() {
    const QString path = dataFolder();
    if (path.isEmpty()) {
        try {
            app::AppPaths search = paths_;
            search.dataFlag.clear();
            dataInfo_->setText(tr("Empty: the search order finds %1").arg(search.locateData()));
            dataInfo_->setStyleSheet(QString());
        } catch (const std::exception& e) {
            dataInfo_->setText(QString::fromStdString(e.what()));
            dataInfo_->setStyleSheet(textColorStyle(errorColor()));
        }
        return;
    }
    try {
        const CorpusInfo info = detectCorpus(QDir::cleanPath(path).toStdString());
        dataInfo_->setText(QStringLiteral("✓ ") + QString::fromStdString(info.describe()));
        dataInfo_->setStyleSheet(textColorStyle(successColor()));
    } catch (const std::exception& e) {
        dataInfo_->setText(QString::fromStdString(e.what()));
        dataInfo_->setStyleSheet(textColorStyle(errorColor()));
    }
}

}  // namespace needlescope
