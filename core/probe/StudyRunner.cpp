#include "core/probe/StudyRunner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "core/probe/StoredRunProbe.h"
#include "core/train/SeedStudy.h"

namespace needlescope {
namespace {

namespace fs = std::filesystem;

// Minutes of training (wall time of the train-loss metric) up to `step`, or −1.
double minutesAt(const RunStore& store, int64_t runId, int64_t step) {
    if (step < 0) return -1;
    double wall = -1;
    for (const MetricPoint& m : store.metrics(runId, "train_loss"))
        if (m.step <= step) wall = m.wallTime;
    return wall < 0 ? -1 : wall / 60.0;
}

// The stored rows of an earlier probe of this checkpoint with exactly these settings.
std::vector<ProbeRow> reusableRows(const RunStore& store, int64_t runId, int64_t step, int64_t context,
                                   const StudyProbeSettings& s, bool& complete) {
    std::vector<ProbeRow> rows;
    std::set<std::pair<double, int64_t>> have;
    for (const ProbeRow& row : store.probeRows(runId, step))
        if (row.contextLength == context && row.needles == 1 && row.sample < s.samples &&
            row.query == "last" && row.answerSpan == "number" && row.probeSeed == int64_t(s.promptSeed) &&
            std::find(s.depths.begin(), s.depths.end(), row.depth) != s.depths.end()) {
            rows.push_back(row);
            have.insert({row.depth, row.sample});
        }
    complete = int64_t(have.size()) >= int64_t(s.depths.size()) * s.samples;
    return rows;
}

void writeFile(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw Error("cannot write '" + path.string() + "'");
}

}  // namespace

std::vector<RunRecord> studyRuns(const RunStore& store, const std::string& name) {
    RunFilter filter;
    filter.text = studyTag(name);
    std::vector<RunRecord> runs;
    for (const RunRecord& r : store.runs(filter))
        if (std::find(r.tags.begin(), r.tags.end(), studyTag(name)) != r.tags.end()) runs.push_back(r);
    std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.id < b.id; });
    return runs;
}

StudyAnalysis probeStudy(RunStore& store, const std::string& name, const StudyProbeSettings& settings,
                         const StudyProgress& progress) {
    const auto log = [&](const std::string& line) {
        if (progress.log) progress.log(line);
    };
    const std::vector<RunRecord> runs = studyRuns(store, name);
    if (runs.empty()) throw Error("no runs carry the tag '" + studyTag(name) + "' in this run store");
    for (const RunRecord& r : runs)
        if (r.status != RunStatus::Finished)
            throw Error("run " + std::to_string(r.id) + " of the study is " + statusName(r.status) +
                        ": resume it (`train --resume " + std::to_string(r.id) + "`) before the report");
    ProbeOptions options;
    options.depths = settings.depths;
    options.samples = settings.samples;
    options.seed = settings.promptSeed;
    std::vector<StudyRun> studied;
    for (const RunRecord& r : runs) {
        if (progress.cancelled && progress.cancelled()) throw StudyCancelled();
        StoredRunProbe probe(store, r.id, std::nullopt, {}, settings.fallbackDataDir);
        const int64_t context = probe.probe().resolveContext(options, probe.model().config());
        bool complete = false;
        std::vector<ProbeRow> rows =
            reusableRows(store, r.id, probe.checkpoint().step, context, settings, complete);
        if (!complete) {
            log("probing run " + std::to_string(r.id) + " (" + r.kind + ") at step " +
                std::to_string(probe.checkpoint().step) + ": " + std::to_string(settings.samples) +
                " prompts x " + std::to_string(settings.depths.size()) + " depths, context " +
                std::to_string(context) + ", prompt seed " + std::to_string(settings.promptSeed));
            ProbeResult result = probe.runAndStore(store, options, progress.placements);
            for (const std::string& warning : result.warnings) log("warning: " + warning);
            rows = std::move(result.rows);
        }
        studied.push_back(storedStudyRun(store, r, std::move(rows)));
    }
    return analyzeStudy(studied, settings.norm);
}

StudyRun storedStudyRun(const RunStore& store, const RunRecord& record, std::vector<ProbeRow> rows) {
    StudyRun run;
    run.runId = record.id;
    run.kind = record.kind;
    try {
        run.seed = nlohmann::json::parse(record.configJson).at("model").value("seed", uint64_t(0));
    } catch (const nlohmann::json::exception&) {
        throw Error("run " + std::to_string(record.id) + " has no readable model seed in its config");
    }
    run.rows = std::move(rows);
    run.stepsTo95 = firstStepAtLeast(store.metrics(record.id, "retrieval"));
    run.minutesTo95 = minutesAt(store, record.id, run.stepsTo95);
    return run;
}

std::vector<int64_t> commonProbeSteps(const RunStore& store, const std::vector<int64_t>& runIds) {
    std::vector<int64_t> common;
    for (size_t i = 0; i < runIds.size(); ++i) {
        const std::vector<int64_t> steps = store.probeSteps(runIds[i]);  // ascending
        if (i == 0) {
            common = steps;
            continue;
        }
        std::vector<int64_t> both;
        std::set_intersection(common.begin(), common.end(), steps.begin(), steps.end(),
                              std::back_inserter(both));
        common.swap(both);
    }
    return common;
}

StudyAnalysis analyzeStoredRuns(const RunStore& store, const std::vector<int64_t>& runIds, int64_t step,
                                Normalisation norm) {
    std::vector<StudyRun> runs;
    ProbeSelection selection;
    selection.step = step;
    for (int64_t id : runIds) {
        const std::vector<ProbeRow> rows = store.probeRows(id, step);
        if (rows.empty())
            throw Error("run " + std::to_string(id) + " has no probe at step " + std::to_string(step));
        runs.push_back(storedStudyRun(store, store.run(id), selectProbeRows(rows, selection)));
    }
    return analyzeStudy(runs, norm);
}

std::string writeStudyReport(const std::string& dir, const StudyAnalysis& analysis, const std::string& name,
                             const std::string& command) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create the output folder '" + dir + "': " + ec.message());
    const std::string markdown = studyMarkdown(analysis, "Needle study " + name, command);
    writeFile(fs::path(dir) / "study.md", markdown);
    writeFile(fs::path(dir) / "study.csv", studyCsv(analysis));
    nlohmann::json json = studyJson(analysis);
    json["name"] = name;
    json["command"] = command;
    // Compact: the per-run, per-(layer, head) summaries make an indented file of a 3-kind, 3-seed study ~1.4
    // MB.
    writeFile(fs::path(dir) / "study.json", json.dump() + "\n");
    return markdown;
}

}  // namespace needlescope
