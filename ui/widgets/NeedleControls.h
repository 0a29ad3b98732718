#pragma once
// The needle placement the Inspect and Compare views ask for: needle and question texts (the probe
// generator's unless edited), needle depth, prompt length and, where a view offers them, the seeded sample
// and the number of needle pairs. One set of range rules for the prompt length, from the model's limits.
#include <QWidget>
#include <optional>

#include "core/probe/Inspection.h"

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;
class QToolButton;
QT_END_NAMESPACE

namespace needlescope {

class NeedleControls : public QWidget {
    Q_OBJECT
  public:
    enum class Extras { None, SampleAndNeedles };
    explicit NeedleControls(Extras extras, QWidget* parent = nullptr);

    // The prompt length the slider starts at for a new model (the model's limit when lower).
    static int defaultContext();

    // A new model whose exact prompt limits are not known yet: its maximum context less room for the
    // answer; the slider goes to the default length and the shown placement is forgotten.
    void startModel(int maxContext);
    // The exact prompt limits reported by a placement; the slider keeps its value where it can.
    void setPromptLimits(int64_t minPrompt, int64_t maxPrompt);
    // A placement came back: the generator's texts (unless edited), its prompt length and placed depth.
    void showPlacement(const InspectionResult& result);

    // Writes the requested placement into `request` (sample and needles only with the extras).
    void fillRequest(InspectionRequest& request) const;

    QLineEdit* needleEdit() const { return needleEdit_; }
    QLineEdit* questionEdit() const { return questionEdit_; }
    QSlider* depthSlider() const { return depthSlider_; }
    QSlider* contextSlider() const { return contextSlider_; }
    QSpinBox* sampleSpin() const { return sampleSpin_; }    // null without the extras
    QSpinBox* needlesSpin() const { return needlesSpin_; }  // null without the extras

  Q_SIGNALS:
    // The user asked for another placement (not emitted by the setters above).
    void requestChanged();

  private:
    void updateLabels();

    QLineEdit* needleEdit_ = nullptr;
    QLineEdit* questionEdit_ = nullptr;
    QToolButton* resetTexts_ = nullptr;
    QSpinBox* sampleSpin_ = nullptr;
    QSpinBox* needlesSpin_ = nullptr;
    QSlider* depthSlider_ = nullptr;
    QLabel* depthLabel_ = nullptr;
    QSlider* contextSlider_ = nullptr;
    QLabel* contextLabel_ = nullptr;
    bool customNeedle_ = false;
    bool customQuestion_ = false;
    std::optional<std::pair<int, double>> placed_;  // (requested, placed) depth of the shown placement
};

}  // namespace needlescope
