#include "ui/views/TrainFields.h"

#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QLocale>
#include <QSettings>
#include <QSpinBox>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/settings/SettingsKeys.h"
#include "ui/views/TrainFieldEditors.h"

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
         [](TrainConfig& c, double v) { c.model.dModel = int64_t(v); }},
        {"headsSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Heads"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Baseline head count h; DIFF uses h/2 heads of twice the value width"),
         G::Model, E::Int, 1, 128, 1, 0, nullptr, [](const TrainConfig& c) { return double(c.model.nHeads); },
         [](TrainConfig& c, double v) { c.model.nHeads = int64_t(v); }},
        {"layersSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Layers"), nullptr, G::Model, E::Int,
         1, 128, 1, 0, nullptr, [](const TrainConfig& c) { return double(c.model.nLayers); },
         [](TrainConfig& c, double v) { c.model.nLayers = int64_t(v); }},
        {"contextSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Context"), nullptr, G::Model,
         E::Int, 8, 65536, 8, 0, nullptr, [](const TrainConfig& c) { return double(c.model.maxContext); },
         [](TrainConfig& c, double v) { c.model.maxContext = int64_t(v); }},

        {"batchSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Batch"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Sequences per step (both models see the same batches)"),
         G::Training, E::Int, 1, 65536, 1, 0, nullptr,
         [](const TrainConfig& c) { return double(c.batchSize); },
         [](TrainConfig& c, double v) { c.batchSize = int64_t(v); }},
        {"stepsSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Steps"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Total optimisation steps; 0 trains for the given number of epochs"),
         G::Training, E::Int, 0, kIntMax, 100, 0,
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "by epochs"),
         [](const TrainConfig& c) { return double(c.steps); },
         [](TrainConfig& c, double v) { c.steps = int64_t(v); }},
        // Epochs count only when steps is 0 (steps comes first in this table, so it is already written).
        {"epochsSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Epochs"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Used when steps is 0"), G::Training, E::Decimal,
         0, 10000, 1, 2, QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "—"),
         [](const TrainConfig& c) { return c.epochs; },
         [](TrainConfig& c, double v) { c.epochs = c.steps > 0 ? 0.0 : v; }},
        {"lrEdit", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "LR"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Peak learning rate, e.g. 3e-4; after the warm-up it follows the Schedule "
                           "(cosine or WSD)"),
         G::Training, E::Scientific, 0.0, 10.0, 0, 12, nullptr,
         [](const TrainConfig& c) { return c.optimizer.lr; },
         [](TrainConfig& c, double v) { c.optimizer.lr = v; }},
        {"warmupSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Warm-up"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Linear warm-up steps, then the Schedule"),
         G::Training, E::Int, 0, kIntMax, 10, 0, nullptr,
         [](const TrainConfig& c) { return double(c.optimizer.warmupSteps); },
         [](TrainConfig& c, double v) { c.optimizer.warmupSteps = int64_t(v); }},
        {"evalEverySpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Eval every"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Validation loss every N steps (and at the end)"),
         G::Training, E::Int, 1, kIntMax, 10, 0, nullptr,
         [](const TrainConfig& c) { return double(c.evalEvery); },
         [](TrainConfig& c, double v) { c.evalEvery = int64_t(v); }},
        {"checkpointEverySpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Checkpoint"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Checkpoint every N steps (and at the end); Stop also checkpoints"),
         G::Training, E::Int, 1, kIntMax, 50, 0, nullptr,
         [](const TrainConfig& c) { return double(c.checkpointEvery); },
         [](TrainConfig& c, double v) { c.checkpointEvery = int64_t(v); }},
        {"probeEverySpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Probe every"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Run the small needle probe every N steps and store answer/noise attention"),
         G::Training, E::Int, 0, kIntMax, 50, 0, QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "off"),
         [](const TrainConfig& c) { return double(c.probeEvery); },
         [](TrainConfig& c, double v) { c.probeEvery = int64_t(v); }},
        {"curriculumSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Curriculum"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "Share of training sequences built as needle-retrieval tasks"),
         G::Training, E::Decimal, 0.0, 1.0, 0.05, 2, nullptr,
         [](const TrainConfig& c) { return c.curriculumFraction; },
         [](TrainConfig& c, double v) { c.curriculumFraction = v; }},
        // The model's vocabulary follows the tokenizer's.
        {"vocabSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Vocab"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "sentencepiece vocabulary size (the model's vocab follows it)"),
         G::Training, E::Int, 260, 1 << 20, 256, 0, nullptr,
         [](const TrainConfig& c) { return double(c.tokenizerVocab); },
         [](TrainConfig& c, double v) {
             c.tokenizerVocab = int(v);
             c.model.vocabSize = c.tokenizerVocab;
         }},
        {"threadsSpin", QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "Threads"),
         QT_TRANSLATE_NOOP("needlescope::TrainConfigForm",
                           "LibTorch intra-op threads (default from Settings)"),
         G::Training, E::Int, 0, 1024, 1, 0, QT_TRANSLATE_NOOP("needlescope::TrainConfigForm", "all cores"),
         threadsOrSaved, [](TrainConfig& c, double v) { c.threads = int(v); }},
    };
}

}  // namespace

const std::vector<TrainField>& trainFields() {
    static const std::vector<TrainField> fields = makeFields();
    return fields;
}

QWidget* createFieldEditor(const TrainField& field, QWidget* parent) {
    QWidget* editor = nullptr;
    const QString special = field.specialText ? translated(field.specialText) : QString();
    switch (field.editor) {
        case FieldEditor::Int: {
            auto* spin =
                new FieldSpinBox(clampInt(field.minimum), clampInt(field.maximum), 0, special, parent);
            spin->setSingleStep(clampInt(field.step));
            spin->setGroupSeparatorShown(true);
            spin->setAccelerated(true);
            editor = spin;
            break;
        }
        case FieldEditor::Decimal: {
            auto* spin =
                new FieldDoubleSpinBox(field.minimum, field.maximum, field.decimals, special, parent);
            spin->setSingleStep(field.step);
            editor = spin;
            break;
        }
        case FieldEditor::Scientific:
            editor = new QLineEdit(parent);  // no validator: "-1" or "abc" stay as typed and are explained
            break;
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

namespace {

QString number(double v, FieldEditor editor) {
    if (editor == FieldEditor::Int) return QLocale().toString(qlonglong(std::llround(v)));
    return QLocale().toString(v, 'g', 6);
}

// "Layers must be a whole number from 1 to 128", with the minimum's word when it has one.
QString rangeText(const TrainField& field) {
    const QString label = translated(field.label);
    QString low = number(field.minimum, field.editor);
    if (field.specialText) low += QStringLiteral(" (%1)").arg(translated(field.specialText));
    const QString high = number(field.maximum, field.editor);
    switch (field.editor) {
        case FieldEditor::Int:
            return QCoreApplication::translate(kContext, "%1 must be a whole number from %2 to %3")
                .arg(label, low, high);
        case FieldEditor::Decimal:
            return QCoreApplication::translate(kContext, "%1 must be a number from %2 to %3")
                .arg(label, low, high);
        case FieldEditor::Scientific:
            return QCoreApplication::translate(kContext,
                                               "%1 must be a number above %2 and at most %3, e.g. 3e-4")
                .arg(label, low, high);
    }
    return label;
}

QString withTyped(const TrainField& field, const QString& typed) {
    const QString text = typed.trimmed();
    if (text.isEmpty()) return rangeText(field) + QCoreApplication::translate(kContext, " (it is empty)");
    return rangeText(field) + QCoreApplication::translate(kContext, " (got \"%1\")").arg(text);
}

}  // namespace

QString fieldProblem(const QWidget* editor, const TrainField& field, double* value) {
    switch (field.editor) {
        case FieldEditor::Int: {
            const auto* spin = static_cast<const FieldSpinBox*>(editor);
            if (!spin->hasAcceptableInput()) return withTyped(field, spin->text());
            *value = spin->value();
            break;
        }
        case FieldEditor::Decimal: {
            const auto* spin = static_cast<const FieldDoubleSpinBox*>(editor);
            if (!spin->hasAcceptableInput()) return withTyped(field, spin->text());
            *value = spin->value();
            break;
        }
        case FieldEditor::Scientific: {
            const QString text = static_cast<const QLineEdit*>(editor)->text();
            bool ok = false;
            *value = QLocale::c().toDouble(text.trimmed(), &ok);
            if (!ok || !std::isfinite(*value) || !(*value > field.minimum) || *value > field.maximum)
                return withTyped(field, text);
            return QString();
        }
    }
    if (*value < field.minimum || *value > field.maximum) {
        const auto* spin = static_cast<const QAbstractSpinBox*>(editor);
        return withTyped(field, spin->text());
    }
    return QString();
}

void connectFieldEdited(QWidget* editor, const TrainField& field, QObject* context,
                        std::function<void()> onEdit) {
    switch (field.editor) {
        case FieldEditor::Int:
            // valueChanged for setValue(), and the line edit's textChanged for typing: an emptied or
            // half-typed field must be revalidated too (the spin box reports only new values).
            QObject::connect(static_cast<QSpinBox*>(editor), qOverload<int>(&QSpinBox::valueChanged), context,
                             [onEdit](int) { onEdit(); });
            QObject::connect(static_cast<FieldSpinBox*>(editor)->textEdit(), &QLineEdit::textChanged, context,
                             [onEdit](const QString&) { onEdit(); });
            return;
        case FieldEditor::Decimal:
            QObject::connect(static_cast<QDoubleSpinBox*>(editor),
                             qOverload<double>(&QDoubleSpinBox::valueChanged), context,
                             [onEdit](double) { onEdit(); });
            QObject::connect(static_cast<FieldDoubleSpinBox*>(editor)->textEdit(), &QLineEdit::textChanged,
                             context, [onEdit](const QString&) { onEdit(); });
            return;
        case FieldEditor::Scientific:
            QObject::connect(static_cast<QLineEdit*>(editor), &QLineEdit::textChanged, context,
                             [onEdit](const QString&) { onEdit(); });
            return;
    }
}

}  // namespace needlescope
