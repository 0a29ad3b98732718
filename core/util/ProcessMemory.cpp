#include "core/util/ProcessMemory.h"

#include <malloc.h>

#include <fstream>
#include <string>

namespace needlescope {
namespace {

// A "Key:   1234 kB" field of /proc/self/status in bytes; 0 when it cannot be read.
double statusBytes(const std::string& key) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) * 1024.0;
    return 0.0;
}

}  // namespace

double residentBytes() { return statusBytes("VmRSS"); }

double peakResidentBytes() { return statusBytes("VmHWM"); }

bool resetPeakResident() {
    malloc_trim(0);
    std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to the current RSS
    const double rss = residentBytes();
    return rss > 0 && peakResidentBytes() <= rss + 1024.0 * 1024.0;
}

}  // namespace needlescope
