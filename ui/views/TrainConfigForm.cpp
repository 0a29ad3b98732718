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
#include <QLocale>
#include <QPalette>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

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
    scroll->setObjectName(QStringLiteral("trainFormScroll"));
    // No horizontal scroll bar, so the pane is never narrower than its fields (else they are cut off).
    scroll->setMinimumWidth(fields_->minimumSizeHint().width() +
                            scroll->verticalScrollBar()->sizeHint().width());

    errorLabel_ = new QLabel(this);
    errorLabel_->setObjectName(QStringLiteral("errorLabel"));
    errorLabel_->setWordWrap(true);
    errorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLabel_->setStyleSheet(textColorStyle(errorColor()));
    errorLabel_->hide();
    warningLabel_ = new QLabel(this);
    warningLabel_->setObjectName(QStringLiteral("warningLabel"));
    warningLabel_->setWordWrap(true);
    warningLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    warningLabel_->setStyleSheet(textColorStyle(warningColor()));
    warningLabel_->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll, 1);
    layout->addWidget(errorLabel_);
    layout->addWidget(warningLabel_);

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
           "retrieval: quick + needle-task curriculum · needle: models that retrieve the needle "
           "(answer-only loss, context 256; the study's preset)"));
    form->addRow(tr("Preset"), presetCombo_);
    auto* models = new QWidget(box);
    auto* modelsRow = new QHBoxLayout(models);
    modelsRow->setContentsMargins(0, 0, 0, 0);
    standardBox_ = new QCheckBox(tr("Standard"), models);
    standardBox_->setObjectName(QStringLiteral("standardBox"));
    diffBox_ = new QCheckBox(tr("DIFF"), models);
    diffBox_->setObjectName(QStringLiteral("diffBox"));
    diff2Box_ = new QCheckBox(tr("DIFF V2"), models);
    diff2Box_->setObjectName(QStringLiteral("diff2Box"));
    diff2Box_->setToolTip(tr("Differential Attention V2: 2h query heads, per-token λ = sigmoid(x·W_λ)"));
    modelsRow->addWidget(standardBox_);
    modelsRow->addWidget(diffBox_);
    modelsRow->addWidget(diff2Box_);
    modelsRow->addStretch(1);
    form->addRow(tr("Models"), models);
    // V2's key/value heads (grouped-query attention) belong to that kind alone: the row under its box.
    kvHeadsSpin_ = new QSpinBox(box);
    kvHeadsSpin_->setObjectName(QStringLiteral("kvHeadsSpin"));
    kvHeadsSpin_->setRange(0, 128);
    kvHeadsSpin_->setSpecialValueText(tr("KV = heads"));
    kvHeadsSpin_->setToolTip(
        tr("DIFF V2 key/value heads h_kv (grouped-query attention): must divide Heads; "
           "query heads 2i and 2i+1 share one. \"= heads\" is one per head pair"));
    kvHeadsSpin_->setEnabled(false);
    form->addRow(tr("V2 KV heads"), kvHeadsSpin_);

    connect(presetCombo_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        if (!name.isEmpty()) selectPreset(name);
    });
    for (QCheckBox* check : {standardBox_, diffBox_, diff2Box_})
        connect(check, &QCheckBox::toggled, this, &TrainConfigForm::validate);
    connect(diff2Box_, &QCheckBox::toggled, kvHeadsSpin_, &QWidget::setEnabled);
    connect(kvHeadsSpin_, qOverload<int>(&QSpinBox::valueChanged), this, &TrainConfigForm::validate);
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
    if (group == FieldGroup::Training) {  // the one non-numeric training field, in the grid's last cell
        scheduleCombo_ = new QComboBox(box);
        scheduleCombo_->setObjectName(QStringLiteral("scheduleCombo"));
        for (const auto& name : lrScheduleNames())
            scheduleCombo_->addItem(name == "wsd" ? tr("WSD") : QString::fromStdString(name),
                                    QString::fromStdString(name));
        scheduleCombo_->setToolTip(
            tr("Learning rate after the warm-up: cosine decays to LR × min_lr_ratio over the remaining "
               "steps; WSD holds LR, then decays linearly over the last decay_fraction of them"));
        addPair(grid, index / 2, index % 2, tr("Schedule"), scheduleCombo_);
        connect(scheduleCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
                &TrainConfigForm::validate);
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
    diff2Box_->setChecked(std::find(c.kinds.begin(), c.kinds.end(), ModelKind::Diff2) != c.kinds.end());
    {
        const QSignalBlocker block(kvHeadsSpin_);
        kvHeadsSpin_->setValue(int(std::clamp<int64_t>(c.model.kvHeads, 0, kvHeadsSpin_->maximum())));
        kvHeadsSpin_->setEnabled(diff2Box_->isChecked());
    }
    for (const TrainField& field : trainFields())
        setFieldValue(editors_.value(QString::fromLatin1(field.objectName)), field, field.read(c));
    scheduleCombo_->setCurrentIndex(
        std::max(0, scheduleCombo_->findData(QString::fromStdString(c.optimizer.schedule))));
    for (QWidget* w : editors) w->blockSignals(false);
    validate();
}

TrainConfig TrainConfigForm::config(QString* error) const { return readConfig(error, nullptr); }

// The form's config; every field that is not a number within its range is listed in `problems` (object
// name → message) and keeps the preset's value in the config.
TrainConfig TrainConfigForm::readConfig(QString* error, QHash<QString, QString>* problems) const {
    TrainConfig c = preset_;
    c.kinds.clear();
    if (standardBox_->isChecked()) c.kinds.push_back(ModelKind::Standard);
    if (diffBox_->isChecked()) c.kinds.push_back(ModelKind::Diff);
    if (diff2Box_->isChecked()) {
        c.kinds.push_back(ModelKind::Diff2);
        c.model.kvHeads = kvHeadsSpin_->value();
    }
    c.optimizer.schedule = scheduleCombo_->currentData().toString().toStdString();
    QStringList messages;
    for (const TrainField& field : trainFields()) {
        const QString name = QString::fromLatin1(field.objectName);
        double value = 0;
        const QString problem = fieldProblem(editors_.value(name), field, &value);
        if (problem.isEmpty()) {
            field.write(c, value);
        } else {
            messages << problem;
            if (problems) problems->insert(name, problem);
        }
    }
    QString message = messages.join(QLatin1Char('\n'));
    if (message.isEmpty())
        if (auto err = c.validationError()) message = QString::fromStdString(*err);
    if (error) *error = message;
    return c;
}

// Intervals and a warm-up longer than the run are allowed but almost always a slip.
QString TrainConfigForm::warnings(const TrainConfig& c) const {
    if (c.steps <= 0) return QString();  // trained by epochs: the step count is known only from the data
    QStringList lines;
    const QString steps = QLocale().toString(qlonglong(c.steps));
    if (c.optimizer.warmupSteps >= c.steps)
        lines << tr("Warm-up (%1 steps) is not shorter than the run (%2 steps): the learning rate never "
                    "reaches its peak")
                     .arg(QLocale().toString(qlonglong(c.optimizer.warmupSteps)), steps);
    const std::pair<const char*, int64_t> intervals[] = {
        {QT_TR_NOOP("Eval every"), c.evalEvery},
        {QT_TR_NOOP("Checkpoint"), c.checkpointEvery},
        {QT_TR_NOOP("Probe every"), c.probeEvery},
    };
    for (const auto& [label, every] : intervals)
        if (every > c.steps)
            lines << tr("%1 (%2) is longer than the run (%3 steps): it happens only at the end")
                         .arg(tr(label), QLocale().toString(qlonglong(every)), steps);
    return lines.join(QLatin1Char('\n'));
}

void TrainConfigForm::validate() {
    QHash<QString, QString> problems;
    const TrainConfig c = readConfig(&validation_, &problems);
    for (auto it = editors_.cbegin(); it != editors_.cend(); ++it)
        markInvalid(it.value(), problems.value(it.key()));
    updateEpochsEnabled();
    if (validation_.isEmpty()) {
        errorLabel_->clear();
        errorLabel_->hide();
    } else {
        showError(tr("Config: %1").arg(validation_));
    }
    const QString warning = validation_.isEmpty() ? warnings(c) : QString();
    warningLabel_->setText(warning);
    warningLabel_->setVisible(!warning.isEmpty());
    // A config error is named first; a data folder that cannot be trained on blocks Start too.
    if (validation_.isEmpty()) validation_ = dataError_;
    Q_EMIT validated();
}

// Red text and the message as tooltip on a field whose input is not valid; the declared tooltip otherwise.
void TrainConfigForm::markInvalid(QWidget* editor, const QString& problem) {
    const bool invalid = !problem.isEmpty();
    if (editor->property("invalid").toBool() == invalid && !invalid) return;
    if (!editor->property("plainTip").isValid()) editor->setProperty("plainTip", editor->toolTip());
    if (invalid) {
        QPalette palette = editor->palette();
        palette.setColor(QPalette::Text, errorColor());
        editor->setPalette(palette);
    } else {
        editor->setPalette(QPalette());  // nothing of its own: the inherited palette again
    }
    editor->setProperty("invalid", invalid);
    const QString tip = editor->property("plainTip").toString();
    editor->setToolTip(invalid ? (tip.isEmpty() ? problem : tip + QStringLiteral("\n") + problem) : tip);
}

QString TrainConfigForm::warningMessage() const { return warningLabel_->text(); }

void TrainConfigForm::showError(const QString& message) {
    errorLabel_->setText(message);
    errorLabel_->show();
}

void TrainConfigForm::hideError() { errorLabel_->hide(); }

void TrainConfigForm::setEditable(bool editable) {
    fields_->setEnabled(editable);
    updateEpochsEnabled();
}

void TrainConfigForm::showRunConfig(const TrainConfig& config, const QString& dataRoot) {
    if (!held_) held_ = HeldEdits{presetCombo_->currentText(), readConfig(nullptr, nullptr), dataFolder()};
    {
        const QSignalBlocker block(presetCombo_);
        const int index = presetCombo_->findText(QString::fromStdString(config.name));
        if (index >= 0) presetCombo_->setCurrentIndex(index);
    }
    fill(config);
    if (!dataRoot.isEmpty()) {
        const QSignalBlocker block(dataEdit_);
        setDataFolder(dataRoot);
    }
}

void TrainConfigForm::restoreEdits() {
    if (!held_) return;
    const HeldEdits held = *held_;
    held_.reset();
    {
        const QSignalBlocker block(presetCombo_);
        presetCombo_->setCurrentText(held.preset);
    }
    fill(held.config);
    const QSignalBlocker block(dataEdit_);
    setDataFolder(held.dataFolder);
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
    app::DataCheck check;
    if (path.isEmpty()) {
        try {
            app::AppPaths search = paths_;
            search.dataFlag.clear();
            const QString found = search.locateData();
            check = app::checkTrainingData(found);
            if (check.usable) check.text = tr("Empty: the search order finds %1").arg(check.text);
        } catch (const std::exception& e) {
            check = app::DataCheck{false, QString::fromStdString(e.what())};
        }
    } else {
        check = app::checkTrainingData(QDir::cleanPath(path));
    }
    dataInfo_->setText(check.usable ? QStringLiteral("✓ ") + check.text : QStringLiteral("✗ ") + check.text);
    dataInfo_->setStyleSheet(textColorStyle(check.usable ? successColor() : errorColor()));
    dataError_ = check.usable ? QString() : tr("Data: %1").arg(check.text);
    validate();
}

}  // namespace needlescope
