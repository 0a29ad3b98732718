#include "ui/views/InspectionSpans.h"

namespace needlescope {

QVector<HighlightSpan> spansOf(const InspectionResult& r) {
    QVector<HighlightSpan> spans;
    spans << sinkSpan(int(r.sink.begin), int(r.sink.end))
          << needleSpan(int(r.needle.begin), int(r.needle.end))
          << answerSpan(int(r.answer.begin), int(r.answer.end))
          << questionSpan(int(r.question.begin), int(r.question.end));
    for (const TokenSpan& d : r.distractors)
        spans << HighlightSpan{QStringLiteral("distractor"), int(d.begin), int(d.end),
                               QColor(0x99, 0x99, 0x99)};
    return spans;
}

}  // namespace needlescope
