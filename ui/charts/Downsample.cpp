#include "ui/charts/Downsample.h"

#include <algorithm>
#include <cmath>

namespace needlescope {

QVector<QPointF> downsampleMinMax(const QVector<QPointF>& input, int maxPoints) {
    QVector<QPointF> points;
    points.reserve(input.size());
    for (const QPointF& p : input)
        if (std::isfinite(p.y()) && std::isfinite(p.x())) points.push_back(p);
    maxPoints = std::max(4, maxPoints);
    const int n = static_cast<int>(points.size());
    if (n <= maxPoints) return points;

    QVector<QPointF> out;
    out.reserve(maxPoints);
    out.push_back(points.front());
    // The interior points 1 … n−2 go into buckets of (nearly) equal size; each bucket gives ≤ 2 points.
    const int interior = n - 2;
    const int buckets = (maxPoints - 2) / 2;
    for (int b = 0; b < buckets; ++b) {
        const int begin = 1 + static_cast<int>(static_cast<qint64>(b) * interior / buckets);
        const int end = 1 + static_cast<int>(static_cast<qint64>(b + 1) * interior / buckets);
        if (begin >= end) continue;
        int lo = begin, hi = begin;
        for (int i = begin + 1; i < end; ++i) {
            if (points[i].y() < points[lo].y()) lo = i;
            if (points[i].y() > points[hi].y()) hi = i;
        }
        out.push_back(points[std::min(lo, hi)]);
        if (lo != hi) out.push_back(points[std::max(lo, hi)]);
    }
    out.push_back(points.back());
    return out;
}

}  // namespace needlescope
