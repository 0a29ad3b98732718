#pragma once
// The after-training half of the study, shared by `needlescope-cli study` and the app's Train view:
// find the runs tagged with the study, probe each one's latest checkpoint where its rows for these
// settings are missing (rows of an earlier probe with the same settings are reused), analyse, and write
// study.md, study.csv and study.json.
#include <functional>
#include <string>
#include <vector>

#include "core/probe/Study.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"

namespace needlescope {

struct StudyProbeSettings {
    std::vector<double> depths = {0, 25, 50, 75, 100};
    int64_t samples = 20;  // prompts per depth, identical for every run
    Normalisation norm = Normalisation::Signed;
    // The prompts' seed. 0 is the seed the training-time probes use; another seed gives prompts that no
    // decision made while training (steps to 95 %, choosing a preset) has seen.
    uint64_t promptSeed = 0;
    std::function<std::string()> fallbackDataDir;  // where the corpus is when a run's folder has gone
};

// What the runner reports as it goes: a line of text, and placements done of the run being probed.
struct StudyProgress {
    std::function<void(const std::string&)> log;
    std::function<void(int64_t done, int64_t total)> placements;
    std::function<bool()> cancelled;  // checked between runs; true stops with StudyCancelled
};

class StudyCancelled : public Error {
  public:
    StudyCancelled() : Error("the study was cancelled before its report") {}
};

std::vector<RunRecord> studyRuns(const RunStore& store, const std::string& name);  // oldest first

// Probes what is missing and analyses the study `name`. Throws Error when no run carries its tag, when a
// run is not finished (resume it first) or when the runs are not paired.
StudyAnalysis probeStudy(RunStore& store, const std::string& name, const StudyProbeSettings& settings,
                         const StudyProgress& progress = {});

// The study's view of one stored run: kind, seed (from its config), `rows`, and steps and minutes to 95 %
// retrieval from its `retrieval` metric.
StudyRun storedStudyRun(const RunStore& store, const RunRecord& record, std::vector<ProbeRow> rows);

// The probe steps every one of `runIds` has rows at, ascending.
std::vector<int64_t> commonProbeSteps(const RunStore& store, const std::vector<int64_t>& runIds);

// Analyses stored runs as a study (the Compare view's statistics): each run's probe at `step` (the longest
// context, one needle, the default settings where probed), paired by seed; the first run's kind is the
// baseline. Throws Error when a run has no probe there or the runs are not paired.
StudyAnalysis analyzeStoredRuns(const RunStore& store, const std::vector<int64_t>& runIds, int64_t step,
                                Normalisation norm = Normalisation::Signed);

// Writes study.md, study.csv and study.json into `dir` (created when missing); returns the Markdown.
std::string writeStudyReport(const std::string& dir, const StudyAnalysis& analysis, const std::string& name,
                             const std::string& command);

}  // namespace needlescope
