#include "core/probe/CurriculumFactory.h"

#include "core/probe/Curriculum.h"

namespace needlescope {

namespace {

// Mixed into the model seed for the curriculum's own draws: never a probe seed, as probes draw from the
// valid split.
constexpr uint64_t kCurriculumSeedSalt = 0xc0ffee5eedULL;

std::string lossDescription(const NeedleLoss& loss) {
    switch (loss.mode) {
        case NeedleLoss::Mode::All:
            return "every token";
        case NeedleLoss::Mode::Answer:
            return "the answer tokens only";
        case NeedleLoss::Mode::Weighted:
            break;
    }
    return "every token, answers x" + loss.toString();
}

std::unique_ptr<TrainingCurriculum> makeCurriculum(const CurriculumRequest& request) {
    const TrainConfig& config = request.config;
    if (!(config.curriculumFraction > 0)) return nullptr;
    CurriculumSettings settings;
    settings.fraction = config.curriculumFraction;
    settings.seed = config.model.seed ^ kCurriculumSeedSalt;
    settings.sets = config.needleSets;
    settings.loss = config.needleLoss;
    settings.minContext = config.contextStart;
    auto curriculum =
        std::make_unique<Curriculum>(request.tokenizer, request.trainTokens, request.context, settings);
    if (request.log) {
        std::string sets;
        for (const NeedleSet& s : settings.sets)
            sets += (sets.empty() ? "" : ", ") + std::to_string(s.needles) + "/" + std::to_string(s.queries);
        request.log("retrieval curriculum: " + std::to_string(int(config.curriculumFraction * 100 + 0.5)) +
                    "% of training sequences are needle tasks (needles/queried: " + sets + "; loss on " +
                    lossDescription(settings.loss) + ")");
    }
    return curriculum;
}

}  // namespace

CurriculumFactory makeCurriculumFactory() { return makeCurriculum; }

}  // namespace needlescope
