#pragma once
// Small thumbnails of attention maps for the all-heads overview: a rows × cols map pooled into at most
// side × side cells, each keeping the value of largest magnitude in its block, so a lone strong key (the
// answer a retrieving head looks at) survives the shrinking instead of being averaged away.
#include <vector>

namespace needlescope {

struct PooledMap {
    int rows = 0, cols = 0;
    std::vector<float> values;  // rows × cols, row-major
};

// `map` holds rows × cols values, row-major; an empty thumbnail for an empty or missing map.
PooledMap mapThumbnail(const float* map, int rows, int cols, int side);

}  // namespace needlescope
