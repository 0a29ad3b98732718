#include "core/probe/RunCatalog.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/probe/ProbeReport.h"
#include "core/util/Error.h"

namespace needlescope {
namespace fs = std::filesystem;

namespace {

// Absolute and lexically normal, without a trailing separator.
fs::path normal(const fs::path& path) {
    fs::path n = fs::absolute(path).lexically_normal();
    if (!n.has_filename() && n != n.root_path()) n = n.parent_path();
    return n;
}

// `path` lies strictly inside `root`.
bool inside(const fs::path& path, const fs::path& root) {
    const fs::path p = normal(path), r = normal(root);
    const auto [rootAt, pathAt] = std::mismatch(r.begin(), r.end(), p.begin(), p.end());
    return rootAt == r.end() && pathAt != p.end();
}

// Removes `dir` and its parents while they are empty, up to (not including) `root`.
void removeEmptyFolders(fs::path dir, const fs::path& root) {
    std::error_code ec;
    while (!dir.empty() && inside(dir, root) && fs::is_directory(dir, ec) && fs::is_empty(dir, ec)) {
        if (!fs::remove(dir, ec)) break;
        dir = dir.parent_path();
    }
}

}  // namespace

RunConfig parseRunConfig(const std::string& json) {
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(json);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("the run config is not JSON: ") + e.what());
    }
    if (!root.is_object()) throw Error("the run config is not a JSON object");
    RunConfig config;
    try {
        if (root.contains("train")) from_json(root.at("train"), config.train);
        if (root.contains("model")) from_json(root.at("model"), config.model);
        if (const auto data = root.find("data"); data != root.end() && data->is_object()) {
            config.dataRoot = data->value("root", std::string());
            config.dataLayout = data->value("layout", std::string());
            config.cacheKey = data->value("cache_key", std::string());
        }
        config.tokenizerModel = root.value("tokenizer_model", std::string());
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("invalid run config: ") + e.what());
    }
    return config;
}

std::optional<ProbeHeadline> probeHeadline(const std::vector<ProbeRow>& rows) {
    if (rows.empty()) return std::nullopt;
    // The probe the report shows by default: the latest step, the longest context, the fewest needles and
    // the default probe settings; its per-depth means (over samples of the mean over heads then layers),
    // averaged over depths.
    const ProbeSummary summary = selectAndSummarize(rows, ProbeSelection{});
    double answer = 0, noise = 0;
    int64_t answers = 0, noises = 0;
    for (const DepthSummary& d : summary.depths) {
        const NormSummary& n = summary.norm(d, Normalisation::Signed);
        if (std::isfinite(n.answer.mean)) answer += n.answer.mean, ++answers;
        if (std::isfinite(n.noise.mean)) noise += n.noise.mean, ++noises;
    }
    if (answers == 0 || noises == 0) return std::nullopt;
    return ProbeHeadline{summary.step, answer / double(answers), noise / double(noises)};
}

RunSummary RunCatalog::summarize(const RunRecord& record, bool withResults) const {
    RunSummary s;
    s.id = record.id;
    s.group = record.group;
    s.name = record.name;
    s.kind = record.kind;
    s.status = record.effectiveStatus();
    s.writerGone = record.writerGone;
    s.createdAt = record.createdAt;
    s.finishedAt = record.finishedAt;
    s.tags = record.tags;
    s.notes = record.notes;
    s.steps = record.lastStep;
    if (!record.configJson.empty()) {
        try {
            s.config = parseRunConfig(record.configJson);
        } catch (const Error& e) {
            s.configError = e.what();
        }
    }
    s.bestValLoss = std::numeric_limits<double>::quiet_NaN();
    if (!withResults) return s;
    for (const MetricPoint& p : store_.metrics(record.id, "val_loss")) {
        if (std::isfinite(p.value) && (!std::isfinite(s.bestValLoss) || p.value < s.bestValLoss)) {
            s.bestValLoss = p.value;
            s.bestValStep = p.step;
        }
        s.steps = std::max(s.steps, p.step);
    }
    s.headline = probeHeadline(store_.probeRows(record.id));
    return s;
}

std::vector<RunSummary> RunCatalog::runs(const RunFilter& filter, bool withResults) const {
    std::vector<RunSummary> out;
    for (const RunRecord& r : store_.runs(filter)) out.push_back(summarize(r, withResults));
    return out;
}

RunSummary RunCatalog::run(int64_t id, bool withResults) const {
    return summarize(store_.run(id), withResults);
}

DeletedRun deleteRunWithFiles(RunStore& store, int64_t id, const std::string& checkpointRoot) {
    const std::string group = store.run(id).group;
    DeletedRun out;
    const fs::path root = checkpointRoot.empty() ? fs::path() : fs::path(checkpointRoot);
    for (const std::string& file : store.deleteRun(id)) {
        std::error_code ec;
        const fs::path path(file);
        if (fs::exists(path, ec)) {
            if (fs::remove(path, ec))
                ++out.filesRemoved;
            else
                out.problems.push_back("could not remove " + file +
                                       (ec ? ": " + ec.message() : std::string()));
        }
        if (!root.empty()) removeEmptyFolders(path.parent_path(), root);
    }
    // A group with no runs left takes its folder (the tokenizer copy) with it.
    if (!root.empty() && !group.empty() && store.group(group).empty()) {
        const fs::path dir = normal(root / group);
        std::error_code ec;
        // Only a folder right under the root: a group name with separators or ".." never reaches further.
        if (dir.parent_path() == normal(root) && fs::is_directory(dir, ec)) {
            fs::remove_all(dir, ec);
            if (ec)
                out.problems.push_back("could not remove " + dir.string() + ": " + ec.message());
            else
                out.groupFolderRemoved = true;
        }
    }
    return out;
}

}  // namespace needlescope
