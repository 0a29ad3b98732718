#include "ui/charts/MeanBand.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace needlescope {

QVector<MeanBandSample> meanOverCurves(const QVector<QVector<LossSample>>& curves) {
    if (curves.isEmpty()) return {};
    std::vector<std::map<double, LossSample>> byStep(size_t(curves.size()));
    for (int i = 0; i < curves.size(); ++i)
        for (const LossSample& s : curves[i])
            if (std::isfinite(s.step) && std::isfinite(s.value)) byStep[size_t(i)][s.step] = s;
    QVector<MeanBandSample> out;
    for (const auto& [step, first] : byStep.front()) {
        MeanBandSample m;
        m.mean.step = step;
        m.mean.tokens = m.mean.value = m.mean.wallTime = 0;
        m.low = m.high = first.value;
        bool everyRun = true;
        for (const auto& curve : byStep) {
            const auto it = curve.find(step);
            if (it == curve.end()) {
                everyRun = false;
                break;
            }
            const LossSample& s = it->second;
            m.mean.value += s.value;
            m.mean.tokens += s.tokens;  // NaN stays NaN: the point then has no tokens-axis value
            m.mean.wallTime += s.wallTime;
            m.low = std::min(m.low, s.value);
            m.high = std::max(m.high, s.value);
        }
        if (!everyRun) continue;
        const double n = double(byStep.size());
        m.mean.value /= n;
        m.mean.tokens /= n;
        m.mean.wallTime /= n;
        m.runs = int(byStep.size());
        out.push_back(m);
    }
    return out;
}

}  // namespace needlescope
