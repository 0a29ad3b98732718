#pragma once
// The Inspect view's read-outs of one placement, as text and bars: the greedy answer, λ, where the needle
// went, the hovered cell, the bucket bars of the query row, and the head to start on.
#include <QString>
#include <QVector>
#include <utility>

#include "core/probe/Inspection.h"
#include "ui/widgets/BucketBarsWidget.h"

namespace needlescope {

// The head that attends most to the answer (raw weights): where the view starts for a new run.
std::pair<int, int> strongestAnswerHead(const InspectionResult& result);

QString greedyAnswerText(const InspectionResult& result);  // rich text: the answer and ✓ / ✗
QString lambdaText(const InspectionResult& result, int layer);
QString placementText(const InspectionResult& result);
// "query #q “tok” → key #k “tok”: value  [spans]" for the heatmap cell (row, col).
QString cellText(const InspectionResult& result, int row, int col, float value);

// The mean over heads then layers, and the (layer, head) when it exists, in `norm`.
QVector<BarSeries> bucketSeries(const InspectionResult& result, int layer, int head, Normalisation norm);

}  // namespace needlescope
