#pragma once
// Shared bits of the benchmarks: peak RSS, timing, simple table printing.
#include <chrono>
#include <cstdint>
#include <string>

namespace needlescope::bench {

double peakRssMb();  // VmHWM of this process, in MB

class Stopwatch {
  public:
    Stopwatch() : start_(std::chrono::steady_clock::now()) {}
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

  private:
    std::chrono::steady_clock::time_point start_;
};

}  // namespace needlescope::bench
