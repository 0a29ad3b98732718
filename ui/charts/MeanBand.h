#pragma once
// The mean of several runs' curves with their spread, for the Compare view's "mean by kind": at every step
// that all the curves have, the mean value (tokens and training time averaged too, for the other x axes)
// and the lowest and highest value (a min–max band). Steps that only some runs reached are left out, so a
// mean is never taken over a changing set of runs.
#include <QVector>

#include "ui/charts/LossSeries.h"

namespace needlescope {

struct MeanBandSample {
    LossSample mean;  // step, mean tokens, mean value, mean training time (NaN when any run lacks it)
    double low = 0, high = 0;
    int runs = 0;
};

// Each curve's samples in any order; a step repeated within one curve counts its last value.
QVector<MeanBandSample> meanOverCurves(const QVector<QVector<LossSample>>& curves);

}  // namespace needlescope
