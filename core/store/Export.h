#pragma once
// Text exports of the run store: metrics as CSV, one run as JSON.
#include <cstdint>
#include <string>
#include <vector>

#include "core/store/RunStore.h"

namespace needlescope {

// Header "run_id,run_name,kind,step,name,value,tokens,wall_time", then every metric of each run in the
// given order (by step, then name), lines ending in "\n". Fields holding a comma, quote, CR or LF are
// quoted as RFC 4180 says (quotes doubled). Numbers use the shortest text that reads back exactly; NaN
// is "nan", infinities "inf"/"-inf". Throws Error for an unknown run id.
std::string metricsCsv(const RunStore& store, const std::vector<int64_t>& runIds);

// Pretty-printed JSON object: id, group, name, kind, status, created_at, finished_at, last_step, tags,
// notes, config (parsed; the raw text when it is not JSON; null when empty), checkpoints [{step, path,
// created_at}], final_metrics {name: {step, value, tokens, wall_time}}, probe [{step, context_length,
// depth, rows, hit_rate, signed, absolute, raw, signed_total}] (empty when the run was never probed).
// NaN values are written as null. Throws Error for an unknown run id.
std::string runJson(const RunStore& store, int64_t runId);

// One CSV field, quoted only when it has to be.
std::string csvField(const std::string& text);

}  // namespace needlescope
