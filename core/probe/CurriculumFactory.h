#pragma once
// The retrieval curriculum as the trainer asks for it (ExperimentHooks::curriculum): the config's
// curriculum settings turned into a Curriculum on the run's train split, announced in the run's log.
#include "core/train/TrainingCurriculum.h"

namespace needlescope {

// Builds a Curriculum when the request's config has a curriculum fraction above 0, else nothing.
CurriculumFactory makeCurriculumFactory();

}  // namespace needlescope
