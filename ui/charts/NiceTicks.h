#pragma once
// Tick placement for value axes: round steps (1, 2 or 5 × 10^k) and no more ticks than fit.

namespace needlescope {

struct NiceTicks {
    double low = 0, high = 1;  // the axis range: multiples of the step that cover the data
    int count = 2;             // ticks from low to high inclusive
};

// The smallest round step whose ticks over [low, high] number at most maxTicks (at least 2).
NiceTicks niceTicks(double low, double high, int maxTicks);

// How many ticks a vertical axis of `pixels` height holds with labels `labelHeight` high (2 to `cap`).
int ticksThatFit(double pixels, double labelHeight, int cap);

}  // namespace needlescope
