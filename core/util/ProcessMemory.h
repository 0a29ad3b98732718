#pragma once
// This process's resident memory, read from /proc/self/status (Linux), for the benchmarks' peak RSS and the
// memory-estimate test.

namespace needlescope {

double residentBytes();      // VmRSS; 0 where it cannot be read
double peakResidentBytes();  // VmHWM, the peak since start or since resetPeakResident(); 0 where unreadable
// Hands freed heap memory back to the system and restarts the peak at the current resident size; false where
// the kernel does not allow resetting the peak (or the figures cannot be read).
bool resetPeakResident();

}  // namespace needlescope
