#include "core/store/Export.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace needlescope {
namespace {

std::string number(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[32];
    for (int precision : {15, 16, 17}) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
        if (std::strtod(buffer, nullptr) == value) break;
    }
    return buffer;
}

nlohmann::json bucketsJson(const BucketValues& b) {
    return {{"sink", b.sink}, {"answer", b.answer}, {"noise", b.noise}, {"query", b.query}};
}

nlohmann::json configJson(const std::string& text) {
    if (text.empty()) return nullptr;
    nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? nlohmann::json(text) : parsed;
}

}  // namespace

std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string metricsCsv(const RunStore& store, const std::vector<int64_t>& runIds) {
    std::string csv = "run_id,run_name,kind,step,name,value,tokens,wall_time\n";
    for (int64_t id : runIds) {
        const RunRecord run = store.run(id);
        const std::string prefix =
            std::to_string(run.id) + "," + csvField(run.name) + "," + csvField(run.kind) + ",";
        for (const MetricPoint& p : store.metrics(id)) {
            csv += prefix + std::to_string(p.step) + "," + csvField(p.name) + "," + number(p.value) + "," +
                   std::to_string(p.tokens) + "," + number(p.wallTime) + "\n";
        }
    }
    return csv;
}

std::string runJson(const RunStore& store, int64_t runId) {
    const RunRecord run = store.run(runId);
    nlohmann::json json = {
        {"id", run.id},
        {"group", run.group},
        {"name", run.name},
        {"kind", run.kind},
        {"status", statusName(run.status)},
        {"created_at", run.createdAt},
        {"finished_at", run.finishedAt},
        {"last_step", run.lastStep},
        {"tags", run.tags},
        {"notes", run.notes},
        {"config", configJson(run.configJson)},
    };

    nlohmann::json checkpoints = nlohmann::json::array();
    for (const CheckpointRecord& c : store.checkpoints(runId)) {
        checkpoints.push_back({{"step", c.step}, {"path", c.path}, {"created_at", c.createdAt}});
    }
    json["checkpoints"] = checkpoints;

    nlohmann::json finals = nlohmann::json::object();
    for (const MetricPoint& p : store.latestMetrics(runId)) {
        finals[p.name] = {
            {"step", p.step}, {"value", p.value}, {"tokens", p.tokens}, {"wall_time", p.wallTime}};
    }
    json["final_metrics"] = finals;

    nlohmann::json probe = nlohmann::json::array();
    for (const ProbeAggregate& a : store.probeAggregates(runId)) {
        probe.push_back({{"step", a.step},
                         {"context_length", a.contextLength},
                         {"depth", a.depth},
                         {"rows", a.rows},
                         {"hit_rate", a.hitRate},
                         {"signed", bucketsJson(a.signedNorm)},
                         {"absolute", bucketsJson(a.absolute)},
                         {"raw", bucketsJson(a.raw)},
                         {"signed_total", a.signedTotal}});
    }
    json["probe"] = probe;
    return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace needlescope
