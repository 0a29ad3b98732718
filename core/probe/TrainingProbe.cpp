#include "core/probe/TrainingProbe.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/probe/CurriculumFactory.h"
#include "core/probe/Haystack.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

struct ProbeState {
    TrainingProbeSettings settings;
    std::function<void(const std::string&)> log;
    std::optional<RunStore> store;
    std::string tokenizerPath, dataDir;
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<Haystack> haystack;
    std::unique_ptr<NeedleProbe> probe;
    std::set<int64_t> disabled;

    void say(const std::string& line) const {
        if (log) log(line);
    }

    void run(int64_t runId, DecoderImpl& model, int64_t step) {
        if (disabled.count(runId)) return;
        try {
            if (!store) store.emplace(RunStore::open(settings.dbPath));
            const RunRecord record = store->run(runId);
            const auto config = nlohmann::json::parse(record.configJson);
            const std::string tokenizerModel = config.at("tokenizer_model").get<std::string>();
            const std::string data =
                settings.dataDir.empty() ? config.at("data").at("root").get<std::string>() : settings.dataDir;
            if (!probe || tokenizerModel != tokenizerPath || data != dataDir) {
                probe.reset();
                haystack.reset();
                tokenizer = std::make_unique<Tokenizer>(Tokenizer::load(tokenizerModel));
                haystack = std::make_unique<Haystack>(Haystack::fromCorpus(data, *tokenizer, Split::Valid));
                probe = std::make_unique<NeedleProbe>(*tokenizer, *haystack);
                tokenizerPath = tokenizerModel;
                dataDir = data;
            }
            ProbeOptions options = settings.options;
            if (options.samples <= 0)
                options.samples =
                    config.contains("train") ? config.at("train").value("probe_samples", int64_t(2)) : 2;
            const ProbeResult result = probe->run(model, options, runId, step);
            store->addProbeRows(result.rows);
            std::vector<HeadBuckets> all;
            int64_t hits = 0;
            std::map<double, std::pair<int64_t, int64_t>> perDepth;  // depth → (hits, placements)
            for (const auto& p : result.placements) {
                all.insert(all.end(), p.heads.begin(), p.heads.end());
                hits += p.retrieval.hit ? 1 : 0;
                perDepth[p.prompt.depth].first += p.retrieval.hit ? 1 : 0;
                ++perDepth[p.prompt.depth].second;
            }
            // Retrieval as training metrics: overall and at the worst depth ("steps to 95 %" reads these).
            double worst = 1.0;
            for (const auto& [depth, counts] : perDepth)
                worst = std::min(worst, double(counts.first) / double(counts.second));
            const double accuracy =
                result.placements.empty() ? 0.0 : double(hits) / double(result.placements.size());
            store->appendMetrics(
                runId, {{step, "retrieval", accuracy, 0, 0.0}, {step, "retrieval_min_depth", worst, 0, 0.0}});
            const BucketMeans m = meanOverHeadsThenLayers(all);
            char line[256];
            std::snprintf(line, sizeof line,
                          "probe run %lld step %lld: answer %.3f noise %.3f (signed), retrieval %lld/%zu",
                          (long long)runId, (long long)step, m.signedNorm.answer, m.signedNorm.noise,
                          (long long)hits, result.placements.size());
            say(line);
        } catch (const std::exception& e) {
            disabled.insert(runId);
            say("probe switched off for run " + std::to_string(runId) + ": " + e.what());
        }
    }
};

}  // namespace

ExperimentHooks makeTrainingProbeHooks(const TrainingProbeSettings& settings,
                                       std::function<void(const std::string&)> log) {
    auto state = std::make_shared<ProbeState>();
    state->settings = settings;
    state->log = std::move(log);
    ExperimentHooks hooks;
    hooks.probe = [state](int64_t runId, DecoderImpl& model, int64_t step) {
        state->run(runId, model, step);
    };
    hooks.curriculum = makeCurriculumFactory();
    return hooks;
}

}  // namespace needlescope
