#include "ui/widgets/NeedleControls.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace needlescope {
namespace {

constexpr int kAnswerRoom = 8;  // tokens kept free for the answer until a placement reports the exact limit

}  // namespace

NeedleControls::NeedleControls(Extras extras, QWidget* parent) : QWidget(parent) {
    auto* root = new QVBoxLayout(this);
    root->setContentsMargins(0, 0, 0, 0);
    root->setSpacing(4);

    auto* texts = new QHBoxLayout;
    texts->addWidget(new QLabel(tr("Needle"), this));
    needleEdit_ = new QLineEdit(this);
    needleEdit_->setObjectName(QStringLiteral("needleEdit"));
    needleEdit_->setToolTip(
        tr("The needle sentence; its last number is the answer. Edit it to try your own."));
    texts->addWidget(needleEdit_, 3);
    texts->addWidget(new QLabel(tr("Question"), this));
    questionEdit_ = new QLineEdit(this);
    questionEdit_->setObjectName(QStringLiteral("questionEdit"));
    questionEdit_->setToolTip(tr("The cloze question that ends the prompt"));
    texts->addWidget(questionEdit_, 3);
    resetTexts_ = new QToolButton(this);
    resetTexts_->setText(tr("Generated"));
    resetTexts_->setToolTip(tr("Back to the probe generator's needle and question"));
    texts->addWidget(resetTexts_);
    if (extras == Extras::SampleAndNeedles) {
        texts->addWidget(new QLabel(tr("Sample"), this));
        sampleSpin_ = new QSpinBox(this);
        sampleSpin_->setObjectName(QStringLiteral("sampleSpin"));
        sampleSpin_->setRange(0, 999);
        sampleSpin_->setToolTip(tr("Which seeded sample: haystack window and generated needle"));
        texts->addWidget(sampleSpin_);
        texts->addWidget(new QLabel(tr("Needles"), this));
        needlesSpin_ = new QSpinBox(this);
        needlesSpin_->setObjectName(QStringLiteral("needlesSpin"));
        needlesSpin_->setRange(1, 8);
        needlesSpin_->setToolTip(tr("Needle pairs in the haystack: one queried, the others distractors"));
        texts->addWidget(needlesSpin_);
    }
    root->addLayout(texts);

    auto* sliders = new QHBoxLayout;
    sliders->addWidget(new QLabel(tr("Depth"), this));
    depthSlider_ = new QSlider(Qt::Horizontal, this);
    depthSlider_->setObjectName(QStringLiteral("depthSlider"));
    depthSlider_->setRange(0, 100);
    depthSlider_->setValue(50);
    depthSlider_->setPageStep(25);
    depthSlider_->setTickPosition(QSlider::TicksBelow);
    depthSlider_->setTickInterval(25);
    depthSlider_->setToolTip(
        tr("Needle depth: the share of the haystack before the needle (0 % = first, 100 % = last)"));
    sliders->addWidget(depthSlider_, 1);
    depthLabel_ = new QLabel(this);
    depthLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("100 % (placed 100.0 %)")));
    sliders->addWidget(depthLabel_);
    sliders->addSpacing(12);
    sliders->addWidget(new QLabel(tr("Context"), this));
    contextSlider_ = new QSlider(Qt::Horizontal, this);
    contextSlider_->setObjectName(QStringLiteral("contextSlider"));
    contextSlider_->setRange(32, defaultContext());
    contextSlider_->setValue(defaultContext());
    contextSlider_->setSingleStep(1);
    contextSlider_->setPageStep(32);
    contextSlider_->setToolTip(
        tr("Prompt length in tokens: from the shortest that holds the needle(s) and the question to the "
           "longest that leaves the model room for the answer"));
    sliders->addWidget(contextSlider_, 1);
    contextLabel_ = new QLabel(this);
    contextLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("10000 / 10000 tokens")));
    sliders->addWidget(contextLabel_);
    root->addLayout(sliders);

    for (QSlider* slider : {depthSlider_, contextSlider_})
        connect(slider, &QSlider::valueChanged, this, [this](int) {
            updateLabels();
            Q_EMIT requestChanged();
        });
    connect(needleEdit_, &QLineEdit::textEdited, this, [this](const QString&) { customNeedle_ = true; });
    connect(questionEdit_, &QLineEdit::textEdited, this, [this](const QString&) { customQuestion_ = true; });
    // A text counts once its editing is finished, not at every keystroke.
    connect(needleEdit_, &QLineEdit::editingFinished, this, [this] {
        if (customNeedle_) Q_EMIT requestChanged();
    });
    connect(questionEdit_, &QLineEdit::editingFinished, this, [this] {
        if (customQuestion_) Q_EMIT requestChanged();
    });
    connect(resetTexts_, &QToolButton::clicked, this, [this] {
        customNeedle_ = customQuestion_ = false;
        Q_EMIT requestChanged();
    });
    for (QSpinBox* spin : {sampleSpin_, needlesSpin_})
        if (spin)
            connect(spin, qOverload<int>(&QSpinBox::valueChanged), this,
                    [this](int) { Q_EMIT requestChanged(); });
    updateLabels();
}

int NeedleControls::defaultContext() {
    // The longest prompt whose heatmap still holds every query row: longer ones keep only the last rows.
    return int(InspectionRequest{}.fullRowsUpTo);
}

void NeedleControls::startModel(int maxContext) {
    placed_.reset();
    {
        const QSignalBlocker block(contextSlider_);
        const int maxPrompt = std::max(16, maxContext - kAnswerRoom);
        contextSlider_->setRange(std::min(32, maxPrompt), maxPrompt);
        contextSlider_->setValue(std::min(maxPrompt, defaultContext()));
    }
    updateLabels();
}

void NeedleControls::setPromptLimits(int64_t minPrompt, int64_t maxPrompt) {
    if (maxPrompt <= 0) return;
    {
        // The exact bounds the model allows; never a new request because of them.
        const QSignalBlocker block(contextSlider_);
        contextSlider_->setRange(int(std::clamp<int64_t>(minPrompt, 1, maxPrompt)), int(maxPrompt));
    }
    updateLabels();
}

void NeedleControls::showPlacement(const InspectionResult& result) {
    if (!customNeedle_) {
        const QSignalBlocker block(needleEdit_);
        needleEdit_->setText(QString::fromStdString(result.needleText));
        needleEdit_->setCursorPosition(0);
    }
    if (!customQuestion_) {
        const QSignalBlocker block(questionEdit_);
        questionEdit_->setText(QString::fromStdString(result.questionText));
        questionEdit_->setCursorPosition(0);
    }
    {
        const QSignalBlocker block(contextSlider_);
        contextSlider_->setValue(int(result.contextLength));
    }
    placed_ = std::make_pair(int(result.depth), result.placedDepth);
    updateLabels();
}

void NeedleControls::fillRequest(InspectionRequest& request) const {
    request.depth = depthSlider_->value();
    request.contextLength = contextSlider_->value();
    if (customNeedle_) request.needle = needleEdit_->text().toStdString();
    if (customQuestion_) request.question = questionEdit_->text().toStdString();
    if (sampleSpin_) request.sample = sampleSpin_->value();
    if (needlesSpin_) request.needles = needlesSpin_->value();
}

void NeedleControls::updateLabels() {
    QString depth = tr("%1 %").arg(depthSlider_->value());
    if (placed_ && placed_->first == depthSlider_->value())
        depth += tr(" (placed %1 %)").arg(placed_->second, 0, 'f', 1);
    depthLabel_->setText(depth);
    contextLabel_->setText(tr("%1 / %2 tokens").arg(contextSlider_->value()).arg(contextSlider_->maximum()));
}

}  // namespace needlescope
