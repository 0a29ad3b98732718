#pragma once
// The probe's whole protocol beyond one context: the depth × context-length grid (a NIAH-style table of
// retrieval accuracy and answer attention) and the multi-needle table (accuracy for N = 1, 2, 4, 6
// needles), computed from stored rows of one run at one step.
#include <cstdint>
#include <string>
#include <vector>

#include "core/probe/ProbeReport.h"
#include "core/store/StoreTypes.h"

namespace needlescope {

struct GridCell {
    int64_t contextLength = 0;
    int64_t needles = 1;
    double depth = 0;
    int64_t samples = 0;
    double accuracy = 0;           // share of samples retrieved
    double answer = 0, noise = 0;  // mean over samples of the per-sample mean over heads then layers
};

// One cell per (context length, needles, depth) among `rows` (one run, one step, one set of probe settings;
// other steps or settings are an Error). Sorted by needles, context length, depth.
std::vector<GridCell> probeGrid(const std::vector<ProbeRow>& rows,
                                Normalisation norm = Normalisation::Signed);

// Markdown tables: accuracy and answer attention over depth (rows) × context length (columns) for one
// needle; then accuracy over needle count (rows) × context length, averaged over depths.
std::string formatGrid(const std::vector<GridCell>& cells, const std::string& label);

}  // namespace needlescope
