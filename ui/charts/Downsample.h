#pragma once
// Min/max-preserving downsampling for line charts: the points are split into consecutive buckets and
// each bucket keeps its lowest and highest point (in x order), so spikes stay visible; the first and last
// points are always kept. Unlike random sampling, the global minimum and maximum always survive.
#include <QPointF>
#include <QVector>

namespace needlescope {

// Returns `points` unchanged when it has at most `maxPoints`; otherwise at most `maxPoints` points
// (maxPoints below 4 is treated as 4). Points with a non-finite y are dropped.
QVector<QPointF> downsampleMinMax(const QVector<QPointF>& points, int maxPoints);

}  // namespace needlescope
