#pragma once
// A named, coloured half-open range of token positions [begin, end): the needle, the answer, the question,
// the attention sink. Heatmaps outline spans of columns; the token strip shades them.
#include <QColor>
#include <QString>
#include <QVector>

#include "ui/style/Palette.h"

namespace needlescope {

struct HighlightSpan {
    QString label;
    int begin = 0;
    int end = 0;  // one past the last token
    QColor color;

    bool contains(int index) const { return index >= begin && index < end; }
    bool isEmpty() const { return end <= begin; }
};

// Distinct, colour-blind-safe colours (Okabe–Ito) for the spans every view uses.
namespace SpanColors {
inline QColor needle() { return okabeIto(OkabeIto::Orange); }
inline QColor answer() { return okabeIto(OkabeIto::BluishGreen); }
inline QColor question() { return okabeIto(OkabeIto::SkyBlue); }
inline QColor sink() { return okabeIto(OkabeIto::ReddishPurple); }
}  // namespace SpanColors

inline HighlightSpan needleSpan(int begin, int end) {
    return {QStringLiteral("needle"), begin, end, SpanColors::needle()};
}
inline HighlightSpan answerSpan(int begin, int end) {
    return {QStringLiteral("answer"), begin, end, SpanColors::answer()};
}
inline HighlightSpan questionSpan(int begin, int end) {
    return {QStringLiteral("question"), begin, end, SpanColors::question()};
}
inline HighlightSpan sinkSpan(int begin, int end) {
    return {QStringLiteral("sink"), begin, end, SpanColors::sink()};
}

}  // namespace needlescope
