#include "core/train/NeedleObjective.h"

#include <cmath>
#include <cstdlib>

#include "core/util/Error.h"

namespace needlescope {

std::string NeedleLoss::toString() const {
    if (mode == Mode::All) return "all";
    if (mode == Mode::Answer) return "answer";
    std::string text = std::to_string(weight);
    text.erase(text.find_last_not_of('0') + 1);  // "10.000000" → "10."
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
}

NeedleLoss NeedleLoss::fromString(const std::string& text) {
    NeedleLoss loss;
    if (text == "all") return loss;
    if (text == "answer") {
        loss.mode = Mode::Answer;
        return loss;
    }
    char* end = nullptr;
    const double w = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(w) || w <= 0)
        throw Error("needle_loss must be 'answer', 'all' or a positive weight for answer tokens, got '" +
                    text + "'");
    loss.mode = Mode::Weighted;
    loss.weight = w;
    return loss;
}

}  // namespace needlescope
