#include "bench/BenchCommon.h"

#include "core/util/ProcessMemory.h"

namespace needlescope::bench {

double peakRssMb() { return peakResidentBytes() / (1024.0 * 1024.0); }

}  // namespace needlescope::bench
