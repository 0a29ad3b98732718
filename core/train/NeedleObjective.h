#pragma once
// The training objective's needle-task settings (plain values, no LibTorch): how a needle row's tokens count
// in the loss and which multi-needle shapes the retrieval curriculum draws (DESIGN §4, "Training for
// retrieval").
#include <string>

namespace needlescope {

// How a needle row's tokens count in the loss.
struct NeedleLoss {
    enum class Mode {
        All,       // every token, like a plain row (no weights)
        Answer,    // the answer tokens only: each row's weight T is spread over its answer tokens
        Weighted,  // every token; answer tokens weigh `weight`, the others 1
    };
    Mode mode = Mode::All;
    double weight = 1.0;  // Weighted only

    std::string toString() const;                           // "all" | "answer" | the weight, e.g. "10"
    static NeedleLoss fromString(const std::string& text);  // throws Error naming the accepted forms
    bool operator==(const NeedleLoss& o) const { return mode == o.mode && weight == o.weight; }
};

// One multi-needle shape: N needles in the haystack, the first R of them queried (the paper's
// N = 1, 2, 4, 6 with R = 1, 2, 2, 2).
struct NeedleSet {
    int needles = 1;
    int queries = 1;
    bool operator==(const NeedleSet& o) const { return needles == o.needles && queries == o.queries; }
};

}  // namespace needlescope
