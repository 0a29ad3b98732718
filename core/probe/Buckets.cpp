#include "core/probe/Buckets.h"

#include <cmath>
#include <limits>

#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

BucketValues scaled(const BucketValues& v, double by) {
    return {v.sink / by, v.answer / by, v.noise / by, v.query / by};
}

}  // namespace

std::string toString(Normalisation norm) {
    switch (norm) {
        case Normalisation::Signed:
            return "signed";
        case Normalisation::Absolute:
            return "absolute";
        case Normalisation::Raw:
            return "raw";
    }
    return "signed";
}

const BucketValues& pick(const RowBuckets& buckets, Normalisation norm) {
    return norm == Normalisation::Signed     ? buckets.signedNorm
           : norm == Normalisation::Absolute ? buckets.absolute
                                             : buckets.raw;
}

const BucketValues& pick(const BucketMeans& means, Normalisation norm) {
    return norm == Normalisation::Signed     ? means.signedNorm
           : norm == Normalisation::Absolute ? means.absolute
                                             : means.raw;
}

RowBuckets computeBuckets(const float* row, int64_t length, const BucketSpans& spans) {
    const int64_t T = spans.contextLength;
    if (T < 1 || T > length)
        throw Error("attention row of " + std::to_string(length) + " keys cannot hold a context of " +
                    std::to_string(T) + " tokens");
    RowBuckets out;
    BucketValues raw, mag;
    for (int64_t k = 0; k < T; ++k) {
        const double a = row[k], m = std::fabs(a);
        double* r;
        double* g;
        if (spans.sink.contains(k))
            r = &raw.sink, g = &mag.sink;
        else if (spans.answer.contains(k))
            r = &raw.answer, g = &mag.answer;
        else if (spans.query.contains(k))
            r = &raw.query, g = &mag.query;
        else
            r = &raw.noise, g = &mag.noise;
        *r += a;
        *g += m;
        out.signedTotal += a;
        out.absoluteTotal += m;
    }
    out.raw = raw;
    out.absolute =
        out.absoluteTotal > 0 ? scaled(mag, out.absoluteTotal) : BucketValues{kNaN, kNaN, kNaN, kNaN};
    // A signed total that is a small fraction of the absolute mass (or ≤ 0) would multiply the bucket sums
    // by a large, noisy factor: such rows are flagged, not divided.
    out.flagged = !(out.signedTotal >= kSignedFlagFraction * out.absoluteTotal) || !(out.signedTotal > 0);
    out.signedNorm = out.flagged ? BucketValues{kNaN, kNaN, kNaN, kNaN} : scaled(raw, out.signedTotal);
    return out;
}

double answerNoiseRatio(const BucketValues& values) {
    if (std::isnan(values.answer) || std::isnan(values.noise) || values.noise == 0) return kNaN;
    return values.answer / values.noise;
}

}  // namespace needlescope
