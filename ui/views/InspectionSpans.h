#pragma once
// The highlighted spans (sink, needle, answer, question, distractors) of one inspected placement.
#include <QVector>

#include "core/probe/Inspection.h"
#include "ui/widgets/HighlightSpan.h"

namespace needlescope {

QVector<HighlightSpan> spansOf(const InspectionResult& result);

}  // namespace needlescope
