#include "ui/views/TrainFields.h"

#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QLineEdit>
#include <QLocale>
#include <QSettings>
#include <QSpinBox>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/settings/SettingsKeys.h"

namespace needlescope {

namespace {

constexpr double kIntMax = std::numeric_limits<int>::max();
constexpr const char* kContext = "needlescope::TrainConfigForm";

QString translated(const char* text) { return QCoreApplication::translate(kContext, text); }

int clampInt(double v) {
    return static_cast<int>(std::clamp<double>(std::llround(v), std::numeric_limits<int>::min(), kIntMax));
}

// A preset without a thread count shows the Settings default.
double threadsOrSaved(const TrainConfig& c) {
    return c.threads > 0 ? c.threads : std::max(0, QSettings().value(app::kSettingThreads, 0).toInt());
}

std::vector<TrainField> makeFields() {
    using G = FieldGroup;
    using E = FieldEditor;
    return {
        {"dModelSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "d_model"), nullptr, G::Model,
         E::Int, 8, 8192, 8, 0, nullptr, [](const TrainConfig& c) { return double(c.model.dModel); },
         [](TrainConfig& c, double v) { c.model.dModel = int64_t(v); }, nullptr},
        {"headsSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Heads"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Baseline head count h; DIFF uses h/2 heads of twice the value width"),
         G::Model, E::Int, 1, 128, 1, 0, nullptr, [](const TrainConfig& c) { return double(c.model.nHeads); },
         [](TrainConfig& c, double v) { c.model.nHeads = int64_t(v); }, nullptr},
        {"layersSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Layers"), nullptr, G::Model, E::Int,
         1, 128, 1, 0, nullptr, [](const TrainConfig& c) { return double(c.model.nLayers); },
         [](TrainConfig& c, double v) { c.model.nLayers = int64_t(v); }, nullptr},
        {"contextSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Context"), nullptr, G::Model,
         E::Int, 8, 65536, 8, 0, nullptr, [](const TrainConfig& c) { return double(c.model.maxContext); },
         [](TrainConfig& c, double v) { c.model.maxContext = int64_t(v); }, nullptr},

        {"batchSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Batch"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Sequences per step (both models see the same batches)"),
         G::Training, E::Int, 1, 65536, 1, 0, nullptr,
         [](const TrainConfig& c) { return double(c.batchSize); },
         [](TrainConfig& c, double v) { c.batchSize = int64_t(v); }, nullptr},
        {"stepsSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Steps"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Total optimisation steps; 0 trains for the given number of epochs"),
         G::Training, E::Int, 0, kIntMax, 100, 0,
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "by epochs"),
         [](const TrainConfig& c) { return double(c.steps); },
         [](TrainConfig& c, double v) { c.steps = int64_t(v); }, nullptr},
        // Epochs count only when steps is 0 (steps comes first in this table, so it is already written).
        {"epochsSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Epochs"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Used when steps is 0"), G::Training, E::Decimal,
         0, 10000, 1, 2, QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "—"),
         [](const TrainConfig& c) { return c.epochs; },
         [](TrainConfig& c, double v) { c.epochs = c.steps > 0 ? 0.0 : v; }, nullptr},
        {"lrEdit", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "LR"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Peak learning rate (cosine decay after the warm-up), e.g. 3e-4"),
         G::Training, E::Scientific, 0.0, 10.0, 0, 12, nullptr,
         [](const TrainConfig& c) { return c.optimizer.lr; },
         [](TrainConfig& c, double v) { c.optimizer.lr = v; },
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "learning rate: enter a number such as 3e-4")},
        {"warmupSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Warm-up"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Linear warm-up steps, then cosine decay"),
         G::Training, E::Int, 0, kIntMax, 10, 0, nullptr,
         [](const TrainConfig& c) { return double(c.optimizer.warmupSteps); },
         [](TrainConfig& c, double v) { c.optimizer.warmupSteps = int64_t(v); }, nullptr},
        {"evalEverySpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Eval every"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Validation loss every N steps (and at the end)"),
         G::Training, E::Int, 1, kIntMax, 10, 0, nullptr,
         [](const TrainConfig& c) { return double(c.evalEvery); },
         [](TrainConfig& c, double v) { c.evalEvery = int64_t(v); }, nullptr},
        {"checkpointEverySpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Checkpoint"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Checkpoint every N steps (and at the end); Stop also checkpoints"),
         G::Training, E::Int, 1, kIntMax, 50, 0, nullptr,
         [](const TrainConfig& c) { return double(c.checkpointEvery); },
         [](TrainConfig& c, double v) { c.checkpointEvery = int64_t(v); }, nullptr},
        {"probeEverySpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Probe every"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Run the small needle probe every N steps and store answer/noise attention"),
         G::Training, E::Int, 0, kIntMax, 50, 0, QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "off"),
         [](const TrainConfig& c) { return double(c.probeEvery); },
         [](TrainConfig& c, double v) { c.probeEvery = int64_t(v); }, nullptr},
        {"curriculumSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Curriculum"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Share of training sequences built as needle-retrieval tasks"),
         G::Training, E::Decimal, 0.0, 1.0, 0.05, 2, nullptr,
         [](const TrainConfig& c) { return c.curriculumFraction; },
         [](TrainConfig& c, double v) { c.curriculumFraction = v; }, nullptr},
        // The model's vocabulary follows the tokenizer's.
        {"vocabSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Vocab"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "sentencepiece vocabulary size (the model's vocab follows it)"),
         G::Training, E::Int, 1, 1 << 20, 256, 0, nullptr,
         [](const TrainConfig& c) { return double(c.tokenizerVocab); },
         [](TrainConfig& c, double v) {
             c.tokenizerVocab = int(v);
             c.model.vocabSize = c.tokenizerVocab;
         },
         nullptr},
        {"threadsSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Threads"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "LibTorch intra-op threads (default from Settings)"),
         G::Training, E::Int, 0, 1024, 1, 0, QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "all cores"),
         threadsOrSaved, [](TrainConfig& c, double v) { c.threads = int(v); }, nullptr},
    };
}

}  // namespace

const std::vector<TrainField>& trainFields() {
    static const std::vector<TrainField> fields = makeFields();
    return fields;
}

QWidget* createFieldEditor(const TrainField& field, QWidget* parent) {
    QWidget* editor = nullptr;
    switch (field.editor) {
        case FieldEditor::Int: {
            auto* spin = new QSpinBox(parent);
            spin->setRange(clampInt(field.minimum), clampInt(field.maximum));
            spin->setSingleStep(clampInt(field.step));
            spin->setGroupSeparatorShown(true);
            spin->setAccelerated(true);
            if (field.specialText) spin->setSpecialValueText(translated(field.specialText));
            editor = spin;
            break;
        }
        case FieldEditor::Decimal: {
            auto* spin = new QDoubleSpinBox(parent);
            spin->setRange(field.minimum, field.maximum);
            spin->setSingleStep(field.step);
            spin->setDecimals(field.decimals);
            if (field.specialText) spin->setSpecialValueText(translated(field.specialText));
            editor = spin;
            break;
        }
        case FieldEditor::Scientific: {
            auto* edit = new QLineEdit(parent);
            auto* validator = new QDoubleValidator(field.minimum, field.maximum, field.decimals, edit);
            validator->setNotation(QDoubleValidator::ScientificNotation);
            validator->setLocale(QLocale::c());
            edit->setValidator(validator);
            editor = edit;
            break;
        }
    }
    editor->setObjectName(QString::fromLatin1(field.objectName));
    if (field.tip) editor->setToolTip(translated(field.tip));
    return editor;
}

void setFieldValue(QWidget* editor, const TrainField& field, double value) {
    switch (field.editor) {
        case FieldEditor::Int:
            static_cast<QSpinBox*>(editor)->setValue(clampInt(value));
            return;
        case FieldEditor::Decimal:
            static_cast<QDoubleSpinBox*>(editor)->setValue(value);
            return;
        case FieldEditor::Scientific:
            static_cast<QLineEdit*>(editor)->setText(QString::number(value, 'g', 6));
            return;
    }
}

bool fieldValue(const QWidget* editor, const TrainField& field, double* value) {
    switch (field.editor) {
        case FieldEditor::Int:
            *value = static_cast<const QSpinBox*>(editor)->value();
            return true;
        case FieldEditor::Decimal:
            *value = static_cast<const QDoubleSpinBox*>(editor)->value();
            return true;
        case FieldEditor::Scientific: {
            bool ok = false;
            *value = QLocale::c().toDouble(static_cast<const QLineEdit*>(editor)->text().trimmed(), &ok);
            return ok;
        }
    }
    return false;
}

void connectFieldEdited(QWidget* editor, const TrainField& field, QObject* context,
                        std::function<void()> onEdit) {
    switch (field.editor) {
        case FieldEditor::Int:
            QObject::connect(static_cast<QSpinBox*>(editor), qOverload<int>(&QSpinBox::valueChanged), context,
                             [onEdit](int) { onEdit(); });
            return;
        case FieldEditor::Decimal:
            QObject::connect(static_cast<QDoubleSpinBox*>(editor),
                             qOverload<double>(&QDoubleSpinBox::valueChanged), context,
                             [onEdit](double) { onEdit(); });
            return;
        case FieldEditor::Scientific:
            QObject::connect(static_cast<QLineEdit*>(editor), &QLineEdit::textChanged, context,
                             [onEdit](const QString&) { onEdit(); });
            return;
    }
}

}  // namespace needlescope
