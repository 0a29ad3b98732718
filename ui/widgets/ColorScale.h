#pragma once
// Maps a value to a colour: sequential (viridis, for softmax attention in [0, max]) or diverging
// (blue – white – red centred exactly on 0 with a symmetric range ±m, for signed DIFF maps).
#include <QColor>
#include <QRgb>
#include <vector>

namespace needlescope {

class ColorScale {
  public:
    enum class Mode { Sequential, Diverging };

    ColorScale() = default;
    // Sequential: [minimum, maximum]. Diverging: the range is made symmetric, ±max(|minimum|, |maximum|).
    ColorScale(Mode mode, float minimum, float maximum);

    static ColorScale sequential(float maximum, float minimum = 0.0f);
    static ColorScale diverging(float maxAbs);
    // The range that covers `values` (non-finite values are ignored): [min(0, lo), hi] for sequential,
    // ±max|v| for diverging.
    static ColorScale fitted(Mode mode, const std::vector<float>& values);

    Mode mode() const { return mode_; }
    float minimum() const { return min_; }
    float maximum() const { return max_; }

    // Sign-preserving symmetric log: |v| ≤ linearWidth is ~linear, beyond it logarithmic. Helps when a
    // sink column dominates a linear scale. 0 turns it off (the default).
    void setSymLog(float linearWidth) { symLogWidth_ = linearWidth > 0.0f ? linearWidth : 0.0f; }
    float symLogWidth() const { return symLogWidth_; }

    // Position of `value` on the scale in [0, 1] (0.5 is zero for a diverging scale); NaN stays NaN.
    double position(float value) const;
    QRgb rgb(float value) const;
    QColor color(float value) const { return QColor::fromRgba(rgb(value)); }
    // The colour at a position in [0, 1] of this scale's ramp (used by legends).
    QRgb rgbAt(double position) const;

    static QRgb nanColor() { return qRgb(200, 200, 200); }

    bool operator==(const ColorScale& o) const {
        return mode_ == o.mode_ && min_ == o.min_ && max_ == o.max_ && symLogWidth_ == o.symLogWidth_;
    }
    bool operator!=(const ColorScale& o) const { return !(*this == o); }

  private:
    double transfer(double v) const;

    Mode mode_ = Mode::Sequential;
    float min_ = 0.0f;
    float max_ = 1.0f;
    float symLogWidth_ = 0.0f;
};

}  // namespace needlescope
