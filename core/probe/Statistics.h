#pragma once
// The study's statistics (DESIGN §4): a bootstrap confidence interval over seeds × samples, the exact
// sign-flip (permutation) test for a paired difference over seeds, and McNemar's exact test on paired
// per-prompt outcomes. Plain C++, deterministic for a given seed.
#include <cstdint>
#include <vector>

namespace needlescope {

struct Interval {
    double mean = 0;           // the point estimate: mean of every value (NaN when there are none)
    double low = 0, high = 0;  // percentile bootstrap bounds
    int64_t groups = 0, values = 0;
};

// Percentile bootstrap CI of the mean of clustered values: `groups[k]` are the values of seed k. Each
// resample draws K seeds with replacement, then each drawn seed's values with replacement (a two-stage
// cluster bootstrap; with one seed it is the ordinary bootstrap over samples). NaN values are dropped;
// empty groups are ignored. `level` e.g. 0.95.
Interval bootstrapMeanCI(const std::vector<std::vector<double>>& groups, double level = 0.95,
                         int resamples = 10000, uint64_t seed = 20241007);

struct SignFlipResult {
    double meanDifference = 0;  // mean over seeds of the per-seed differences
    double p = 1;               // two-sided
    int64_t seeds = 0;
    bool exact = true;             // false when 2^K was too many and random flips were drawn
    double smallestPossibleP = 1;  // 2 / 2^K for an exact test: the floor K puts on p
};

// Exact two-sided sign-flip test of H0 "the per-seed differences are symmetric about 0": p is the share
// of the 2^K sign assignments whose |mean| is at least the observed |mean|. K > 20 uses 200,000 random
// assignments instead. NaN differences are dropped.
SignFlipResult signFlipTest(const std::vector<double>& perSeedDifferences, uint64_t seed = 20241007);

// Seeds needed before a two-sided exact sign-flip test can reach p < alpha (6 for 0.05).
int64_t seedsNeededForSignFlip(double alpha = 0.05);

struct McNemarResult {
    int64_t onlyFirst = 0, onlySecond = 0;  // discordant pairs: first model right only, second right only
    int64_t bothRight = 0, bothWrong = 0;
    double p = 1;  // exact two-sided binomial p on the discordant pairs (1 when there are none)
};

// McNemar's exact test on paired outcomes (same prompts, two models). Sizes must match (throws Error).
McNemarResult mcnemarExact(const std::vector<bool>& first, const std::vector<bool>& second);
// The exact two-sided p for b and c discordant pairs: min(1, 2 · P[X ≤ min(b, c)]), X ~ Bin(b + c, 1/2).
double mcnemarExactP(int64_t b, int64_t c);

}  // namespace needlescope
