#include "ui/widgets/MapThumbnail.h"

#include <algorithm>
#include <cmath>

namespace needlescope {

PooledMap mapThumbnail(const float* map, int rows, int cols, int side) {
    PooledMap t;
    if (!map || rows <= 0 || cols <= 0 || side <= 0) return t;
    t.rows = std::min(rows, side);
    t.cols = std::min(cols, side);
    t.values.assign(static_cast<size_t>(t.rows) * static_cast<size_t>(t.cols), 0.0f);
    for (int r = 0; r < t.rows; ++r) {
        const int r0 = int(int64_t(r) * rows / t.rows), r1 = int(int64_t(r + 1) * rows / t.rows);
        for (int c = 0; c < t.cols; ++c) {
            const int c0 = int(int64_t(c) * cols / t.cols), c1 = int(int64_t(c + 1) * cols / t.cols);
            float best = 0.0f;
            bool any = false;
            for (int y = r0; y < r1; ++y)
                for (int x = c0; x < c1; ++x) {
                    const float v = map[static_cast<size_t>(y) * static_cast<size_t>(cols) + x];
                    if (std::isfinite(v) && (!any || std::fabs(v) > std::fabs(best))) best = v, any = true;
                }
            t.values[static_cast<size_t>(r) * static_cast<size_t>(t.cols) + c] = best;
        }
    }
    return t;
}

}  // namespace needlescope
