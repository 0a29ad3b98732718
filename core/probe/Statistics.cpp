#include "core/probe/Statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/probe/NeedleTask.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double quantile(std::vector<double>& sorted, double q) {  // linear interpolation, `sorted` ascending
    if (sorted.empty()) return kNaN;
    const double pos = q * double(sorted.size() - 1);
    const size_t lo = size_t(std::floor(pos)), hi = std::min(sorted.size() - 1, lo + 1);
    return sorted[lo] + (pos - double(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

Interval bootstrapMeanCI(const std::vector<std::vector<double>>& groups, double level, int resamples,
                         uint64_t seed) {
    if (!(level > 0 && level < 1)) throw Error("a confidence level must lie strictly between 0 and 1");
    if (resamples < 1) throw Error("the bootstrap needs at least one resample");
    std::vector<std::vector<double>> clean;
    Interval out;
    double sum = 0;
    for (const auto& g : groups) {
        std::vector<double> kept;
        for (double v : g)
            if (!std::isnan(v)) kept.push_back(v);
        if (kept.empty()) continue;
        for (double v : kept) sum += v;
        out.values += int64_t(kept.size());
        clean.push_back(std::move(kept));
    }
    out.groups = int64_t(clean.size());
    if (clean.empty()) return {kNaN, kNaN, kNaN, 0, 0};
    out.mean = sum / double(out.values);
    ProbeRng rng(seed);
    std::vector<double> means;
    means.reserve(size_t(resamples));
    for (int r = 0; r < resamples; ++r) {
        double s = 0;
        int64_t n = 0;
        for (size_t k = 0; k < clean.size(); ++k) {
            const auto& g = clean[rng.below(clean.size())];
            for (size_t i = 0; i < g.size(); ++i) s += g[rng.below(g.size())];
            n += int64_t(g.size());
        }
        means.push_back(s / double(n));
    }
    std::sort(means.begin(), means.end());
    const double tail = (1.0 - level) / 2.0;
    out.low = quantile(means, tail);
    out.high = quantile(means, 1.0 - tail);
    return out;
}

SignFlipResult signFlipTest(const std::vector<double>& perSeedDifferences, uint64_t seed) {
    std::vector<double> d;
    for (double v : perSeedDifferences)
        if (!std::isnan(v)) d.push_back(v);
    SignFlipResult out;
    out.seeds = int64_t(d.size());
    if (d.empty()) {
        out.meanDifference = kNaN;
        return out;
    }
    double observed = 0;
    for (double v : d) observed += v;
    out.meanDifference = observed / double(d.size());
    const double threshold = std::abs(observed) * (1.0 - 1e-12) - 1e-15;  // ties count as extreme
    int64_t extreme = 0, total = 0;
    auto count = [&](uint64_t signs) {
        double s = 0;
        for (size_t i = 0; i < d.size(); ++i) s += (signs >> i & 1) ? -d[i] : d[i];
        if (std::abs(s) >= threshold) ++extreme;
        ++total;
    };
    if (d.size() <= 20) {
        for (uint64_t signs = 0; signs < (uint64_t{1} << d.size()); ++signs) count(signs);
        out.smallestPossibleP = std::min(1.0, 2.0 / double(uint64_t{1} << d.size()));
    } else {
        out.exact = false;
        ProbeRng rng(seed);
        count(0);  // the observed assignment itself, so p is never 0
        for (int i = 1; i < 200000; ++i) count(rng.next());
        out.smallestPossibleP = 1.0 / double(total);
    }
    out.p = double(extreme) / double(total);
    return out;
}

int64_t seedsNeededForSignFlip(double alpha) {
    int64_t k = 1;
    while (2.0 / std::pow(2.0, double(k)) >= alpha) ++k;
    return k;
}

double mcnemarExactP(int64_t b, int64_t c) {
    if (b < 0 || c < 0) throw Error("McNemar counts must not be negative");
    const int64_t n = b + c;
    if (n == 0) return 1.0;
    const int64_t k = std::min(b, c);
    // P[X ≤ k] for X ~ Bin(n, 1/2), summed in log space so large n stays exact enough.
    double tail = 0;
    for (int64_t i = 0; i <= k; ++i)
        tail += std::exp(std::lgamma(double(n + 1)) - std::lgamma(double(i + 1)) -
                         std::lgamma(double(n - i + 1)) - double(n) * std::log(2.0));
    return std::min(1.0, 2.0 * tail);
}

McNemarResult mcnemarExact(const std::vector<bool>& first, const std::vector<bool>& second) {
    if (first.size() != second.size())
        throw Error("McNemar's test needs paired outcomes: " + std::to_string(first.size()) + " vs " +
                    std::to_string(second.size()));
    McNemarResult out;
    for (size_t i = 0; i < first.size(); ++i) {
        if (first[i] && second[i])
            ++out.bothRight;
        else if (first[i])
            ++out.onlyFirst;
        else if (second[i])
            ++out.onlySecond;
        else
            ++out.bothWrong;
    }
    out.p = mcnemarExactP(out.onlyFirst, out.onlySecond);
    return out;
}

}  // namespace needlescope
