// RunStore: the probe_results table (filled by the needle probe, DESIGN §4).
#include <set>

#include "core/store/RunStore.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr const char* kProbeColumns =
    "run_id, step, context_length, depth, needles, sample, layer, head, "
    "signed_sink, signed_answer, signed_noise, signed_query, abs_sink, abs_answer, abs_noise, abs_query, "
    "raw_sink, raw_answer, raw_noise, raw_query, signed_total, hit, query_mode, answer_span, probe_seed, "
    "placed_depth";

void bindBuckets(sqlite::Statement& stmt, int first, const BucketValues& b) {
    stmt.bindDouble(first, b.sink).bindDouble(first + 1, b.answer);
    stmt.bindDouble(first + 2, b.noise).bindDouble(first + 3, b.query);
}

BucketValues readBuckets(const sqlite::Statement& stmt, int first) {
    return {stmt.columnDouble(first), stmt.columnDouble(first + 1), stmt.columnDouble(first + 2),
            stmt.columnDouble(first + 3)};
}

}  // namespace

void RunStore::addProbeRows(const std::vector<ProbeRow>& rows) {
    if (rows.empty()) return;
    requireWritable("save probe results");
    const sqlite::Database::Activity activity(db_, "cannot save probe results");
    sqlite::WriteTransaction transaction(db_);
    std::set<int64_t> runIds;
    for (const ProbeRow& row : rows) runIds.insert(row.runId);
    for (int64_t id : runIds) requireRun(id);
    sqlite::Statement stmt(db_, std::string("INSERT OR REPLACE INTO probe_results (") + kProbeColumns +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                                    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)");
    for (const ProbeRow& row : rows) {
        stmt.bindInt(1, row.runId)
            .bindInt(2, row.step)
            .bindInt(3, row.contextLength)
            .bindDouble(4, row.depth);
        stmt.bindInt(5, row.needles).bindInt(6, row.sample).bindInt(7, row.layer).bindInt(8, row.head);
        bindBuckets(stmt, 9, row.signedNorm);
        bindBuckets(stmt, 13, row.absolute);
        bindBuckets(stmt, 17, row.raw);
        stmt.bindDouble(21, row.signedTotal).bindInt(22, row.hit ? 1 : 0);
        stmt.bindText(23, row.query).bindText(24, row.answerSpan).bindInt(25, row.probeSeed);
        stmt.bindDouble(26, row.placedDepth);
        stmt.run();
        stmt.reset();
    }
    transaction.commit();
}

std::vector<ProbeRow> RunStore::probeRows(int64_t runId, std::optional<int64_t> step) const {
    sqlite::Statement stmt(db_, std::string("SELECT ") + kProbeColumns +
                                    " FROM probe_results WHERE run_id = ?1 " +
                                    (step ? "AND step = ?2 " : "") +
                                    "ORDER BY step, context_length, depth, needles, query_mode, answer_span, "
                                    "probe_seed, sample, layer, head");
    stmt.bindInt(1, runId);
    if (step) stmt.bindInt(2, *step);
    std::vector<ProbeRow> rows;
    while (stmt.step()) {
        ProbeRow row;
        row.runId = stmt.columnInt(0);
        row.step = stmt.columnInt(1);
        row.contextLength = stmt.columnInt(2);
        row.depth = stmt.columnDouble(3);
        row.needles = stmt.columnInt(4);
        row.sample = stmt.columnInt(5);
        row.layer = stmt.columnInt(6);
        row.head = stmt.columnInt(7);
        row.signedNorm = readBuckets(stmt, 8);
        row.absolute = readBuckets(stmt, 12);
        row.raw = readBuckets(stmt, 16);
        row.signedTotal = stmt.columnDouble(20);
        row.hit = stmt.columnInt(21) != 0;
        row.query = stmt.columnText(22);
        row.answerSpan = stmt.columnText(23);
        row.probeSeed = stmt.columnInt(24);
        row.placedDepth = stmt.columnDouble(25);
        rows.push_back(row);
    }
    return rows;
}

std::vector<int64_t> RunStore::probeSteps(int64_t runId) const {
    sqlite::Statement stmt(db_, "SELECT DISTINCT step FROM probe_results WHERE run_id = ?1 ORDER BY step");
    stmt.bindInt(1, runId);
    std::vector<int64_t> steps;
    while (stmt.step()) steps.push_back(stmt.columnInt(0));
    return steps;
}

std::vector<ProbeAggregate> RunStore::probeAggregates(int64_t runId) const {
    // AVG skips NULLs, i.e. NaN values (rows whose signed total was ≤ 0 may carry them).
    sqlite::Statement stmt(db_,
                           "SELECT step, context_length, depth, COUNT(*), "
                           "AVG(signed_sink), AVG(signed_answer), AVG(signed_noise), AVG(signed_query), "
                           "AVG(abs_sink), AVG(abs_answer), AVG(abs_noise), AVG(abs_query), "
                           "AVG(raw_sink), AVG(raw_answer), AVG(raw_noise), AVG(raw_query), "
                           "AVG(signed_total), AVG(hit) FROM probe_results WHERE run_id = ?1 "
                           "GROUP BY step, context_length, depth ORDER BY step, context_length, depth");
    stmt.bindInt(1, runId);
    std::vector<ProbeAggregate> aggregates;
    while (stmt.step()) {
        ProbeAggregate a;
        a.step = stmt.columnInt(0);
        a.contextLength = stmt.columnInt(1);
        a.depth = stmt.columnDouble(2);
        a.rows = stmt.columnInt(3);
        a.signedNorm = readBuckets(stmt, 4);
        a.absolute = readBuckets(stmt, 8);
        a.raw = readBuckets(stmt, 12);
        a.signedTotal = stmt.columnDouble(16);
        a.hitRate = stmt.columnDouble(17);
        aggregates.push_back(a);
    }
    return aggregates;
}

}  // namespace needlescope
