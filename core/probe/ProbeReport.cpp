#include "core/probe/ProbeReport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double meanOf(const std::vector<double>& values) { return meanStd(values).mean; }

BucketValues meanBuckets(const std::vector<BucketValues>& values) {
    std::vector<double> s, a, n, q;
    for (const auto& v : values) {
        s.push_back(v.sink);
        a.push_back(v.answer);
        n.push_back(v.noise);
        q.push_back(v.query);
    }
    return {meanOf(s), meanOf(a), meanOf(n), meanOf(q)};
}

NormSummary normSummary(const std::vector<BucketValues>& perSample) {
    std::vector<double> s, a, n, q;
    for (const auto& v : perSample) {
        s.push_back(v.sink);
        a.push_back(v.answer);
        n.push_back(v.noise);
        q.push_back(v.query);
    }
    NormSummary out{meanStd(s), meanStd(a), meanStd(n), meanStd(q), kNaN};
    out.ratio = answerNoiseRatio({out.sink.mean, out.answer.mean, out.noise.mean, out.query.mean});
    return out;
}

// Display width of UTF-8 text (code points; good enough for ± and arrows).
size_t displayWidth(const std::string& s) {
    size_t w = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++w;
    return w;
}

std::string pad(const std::string& s, size_t width, bool right = false) {
    const size_t w = displayWidth(s);
    if (w >= width) return s;
    return right ? std::string(width - w, ' ') + s : s + std::string(width - w, ' ');
}

std::string fmt(double v, const char* format = "%.3f") {
    if (std::isnan(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

std::string fmtMeanStd(const MeanStd& m) {
    if (m.n == 0 || std::isnan(m.mean)) return "n/a";
    return fmt(m.mean) + " ± " + fmt(m.std);
}

std::string depthLabel(double d) {
    char buf[32];
    if (std::fabs(d - std::round(d)) < 1e-9)
        std::snprintf(buf, sizeof buf, "%.0f%%", d);
    else
        std::snprintf(buf, sizeof buf, "%.1f%%", d);
    return buf;
}

const char* normTitle(Normalisation norm) {
    switch (norm) {
        case Normalisation::Signed:
            return "signed: bucket sum / signed row total (rows with total <= 0 left out)";
        case Normalisation::Absolute:
            return "absolute: sum of |a| / row sum of |a|";
        case Normalisation::Raw:
            return "raw: bucket sums of the weights as used (a DIFF row sums to 1 - lambda)";
    }
    return "";
}

nlohmann::json numberOrNull(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json bucketsJson(const BucketValues& b) {
    return {{"sink", numberOrNull(b.sink)},
            {"answer", numberOrNull(b.answer)},
            {"noise", numberOrNull(b.noise)},
            {"query", numberOrNull(b.query)}};
}

nlohmann::json meanStdJson(const MeanStd& m) {
    return {{"mean", numberOrNull(m.mean)}, {"std", numberOrNull(m.std)}, {"n", m.n}};
}

nlohmann::json normJson(const NormSummary& n) {
    return {{"sink", meanStdJson(n.sink)},
            {"answer", meanStdJson(n.answer)},
            {"noise", meanStdJson(n.noise)},
            {"query", meanStdJson(n.query)},
            {"answer_noise_ratio", numberOrNull(n.ratio)}};
}

}  // namespace

MeanStd meanStd(const std::vector<double>& values) {
    MeanStd out;
    double sum = 0;
    for (double v : values)
        if (!std::isnan(v)) {
            sum += v;
            ++out.n;
        }
    if (out.n == 0) return {kNaN, kNaN, 0};
    out.mean = sum / double(out.n);
    double sq = 0;
    for (double v : values)
        if (!std::isnan(v)) sq += (v - out.mean) * (v - out.mean);
    out.std = out.n > 1 ? std::sqrt(sq / double(out.n - 1)) : 0.0;
    return out;
}

const NormSummary& ProbeSummary::norm(const DepthSummary& d, Normalisation which) const {
    switch (which) {
        case Normalisation::Signed:
            return d.signedNorm;
        case Normalisation::Absolute:
            return d.absolute;
        case Normalisation::Raw:
            return d.raw;
    }
    return d.signedNorm;
}

int64_t ProbeSummary::flaggedRows() const {
    int64_t n = 0;
    for (const auto& d : depths) n += d.flaggedRows;
    return n;
}

int64_t ProbeSummary::rows() const {
    int64_t n = 0;
    for (const auto& d : depths) n += d.rows;
    return n;
}

ProbeSummary summarizeProbe(const std::vector<ProbeRow>& rows) {
    if (rows.empty()) throw Error("no probe rows to summarise");
    ProbeSummary out;
    const ProbeRow& first = rows.front();
    out.runId = first.runId;
    out.step = first.step;
    out.contextLength = first.contextLength;
    out.needles = first.needles;
    out.query = first.query;
    std::map<double, std::map<int64_t, std::vector<ProbeRow>>> byDepth;
    for (const ProbeRow& r : rows) {
        if (r.runId != first.runId || r.step != first.step || r.contextLength != first.contextLength ||
            r.needles != first.needles || r.query != first.query || r.answerSpan != first.answerSpan ||
            r.probeSeed != first.probeSeed)
            throw Error(
                "probe rows of different runs, steps, context lengths, needle counts or probe settings "
                "cannot "
                "be summarised together");
        byDepth[r.depth][r.sample].push_back(r);
        out.layers = std::max(out.layers, r.layer + 1);
        out.heads = std::max(out.heads, r.head + 1);
    }
    for (const auto& [depth, samples] : byDepth) {
        DepthSummary d;
        d.depth = depth;
        d.samples = int64_t(samples.size());
        std::vector<BucketValues> s, a, r;
        std::map<int64_t, std::vector<BucketMeans>> layerMeans;  // layer → per sample
        std::map<std::pair<int64_t, int64_t>, std::vector<const ProbeRow*>> headRows;
        for (const auto& [sample, sampleRows] : samples) {
            (void)sample;
            const BucketMeans m = meanOverHeadsThenLayers(sampleRows);
            s.push_back(m.signedNorm);
            a.push_back(m.absolute);
            r.push_back(m.raw);
            d.rows += m.rows;
            d.flaggedRows += m.flaggedRows;
            if (sampleRows.front().hit) ++d.hits;
            std::map<int64_t, std::vector<ProbeRow>> perLayer;
            for (const ProbeRow& row : sampleRows) {
                perLayer[row.layer].push_back(row);
                headRows[{row.layer, row.head}].push_back(&row);
            }
            for (const auto& [layer, lr] : perLayer) layerMeans[layer].push_back(meanOverHeadsThenLayers(lr));
        }
        d.signedNorm = normSummary(s);
        d.absolute = normSummary(a);
        d.raw = normSummary(r);
        d.accuracy = d.samples > 0 ? double(d.hits) / double(d.samples) : 0.0;
        for (const auto& [layer, means] : layerMeans) {
            LayerHeadMeans lm;
            lm.layer = layer;
            std::vector<BucketValues> ls, la, lr;
            for (const auto& m : means) {
                ls.push_back(m.signedNorm);
                la.push_back(m.absolute);
                lr.push_back(m.raw);
            }
            lm.signedNorm = meanBuckets(ls);
            lm.absolute = meanBuckets(la);
            lm.raw = meanBuckets(lr);
            d.perLayer.push_back(lm);
        }
        for (const auto& [key, hr] : headRows) {
            LayerHeadMeans hm;
            hm.layer = key.first;
            hm.head = key.second;
            std::vector<BucketValues> hs, ha, hraw;
            for (const ProbeRow* row : hr) {
                hs.push_back(row->signedNorm);
                ha.push_back(row->absolute);
                hraw.push_back(row->raw);
            }
            hm.signedNorm = meanBuckets(hs);
            hm.absolute = meanBuckets(ha);
            hm.raw = meanBuckets(hraw);
            d.perHead.push_back(hm);
        }
        out.depths.push_back(std::move(d));
    }
    return out;
}

std::vector<ProbeRow> selectProbeRows(const std::vector<ProbeRow>& runRows, const ProbeSelection& selection) {
    if (runRows.empty())
        throw Error("the run has no stored probe results (run `needlescope-cli probe` first)");
    const int64_t runId = runRows.front().runId;
    auto fail = [&](const std::string& what) {
        return Error("run " + std::to_string(runId) + " has no probe results " + what);
    };
    std::vector<const ProbeRow*> rows;
    for (const auto& r : runRows) rows.push_back(&r);
    auto filter = [&](auto keep) {
        std::vector<const ProbeRow*> kept;
        for (const ProbeRow* r : rows)
            if (keep(*r)) kept.push_back(r);
        rows.swap(kept);
    };
    // Step: the requested one, else the latest.
    int64_t step = 0;
    if (selection.step)
        step = *selection.step;
    else
        for (const ProbeRow* r : rows) step = std::max(step, r->step);
    filter([&](const ProbeRow& r) { return r.step == step; });
    if (rows.empty()) throw fail("at step " + std::to_string(step));
    int64_t ctx = 0;
    if (selection.contextLength)
        ctx = *selection.contextLength;
    else
        for (const ProbeRow* r : rows) ctx = std::max(ctx, r->contextLength);
    filter([&](const ProbeRow& r) { return r.contextLength == ctx; });
    if (rows.empty())
        throw fail("at step " + std::to_string(step) + " with a context of " + std::to_string(ctx));
    int64_t needles = std::numeric_limits<int64_t>::max();
    if (selection.needles)
        needles = *selection.needles;
    else
        for (const ProbeRow* r : rows) needles = std::min(needles, r->needles);
    filter([&](const ProbeRow& r) { return r.needles == needles; });
    if (rows.empty())
        throw fail("at step " + std::to_string(step) + ", context " + std::to_string(ctx) + " with " +
                   std::to_string(needles) + " needle(s)");
    // Probe settings: the requested ones, else the defaults when present, else the first stored.
    auto choose = [&](const auto& requested, const auto& preferred, auto field, const std::string& what) {
        auto value = requested ? *requested : preferred;
        if (!requested) {
            bool found = false;
            for (const ProbeRow* r : rows) found = found || field(*r) == preferred;
            if (!found && !rows.empty()) value = field(*rows.front());
        }
        filter([&](const ProbeRow& r) { return field(r) == value; });
        if (rows.empty()) throw fail("with " + what);
    };
    choose(
        selection.query, std::string("last"), [](const ProbeRow& r) { return r.query; }, "that query mode");
    choose(
        selection.answerSpan, std::string("number"), [](const ProbeRow& r) { return r.answerSpan; },
        "that answer span");
    int64_t lowestSeed = rows.front()->probeSeed;
    for (const ProbeRow* r : rows) lowestSeed = std::min(lowestSeed, r->probeSeed);
    choose(
        selection.probeSeed, lowestSeed, [](const ProbeRow& r) { return r.probeSeed; }, "that probe seed");
    if (!selection.depths.empty()) {
        filter([&](const ProbeRow& r) {
            for (double d : selection.depths)
                if (std::fabs(d - r.depth) < 1e-9) return true;
            return false;
        });
        if (rows.empty()) throw fail("at the requested depths");
    }
    std::vector<ProbeRow> picked;
    for (const ProbeRow* r : rows) picked.push_back(*r);
    return picked;
}

ProbeSummary selectAndSummarize(const std::vector<ProbeRow>& runRows, const ProbeSelection& selection) {
    return summarizeProbe(selectProbeRows(runRows, selection));
}

std::string formatProbeTable(const std::vector<ProbeSummary>& summaries,
                             const std::vector<Normalisation>& norms) {
    std::ostringstream out;
    std::set<double> depthSet;
    size_t labelWidth = 8;
    for (const auto& s : summaries) {
        for (const auto& d : s.depths) depthSet.insert(d.depth);
        labelWidth = std::max(labelWidth, displayWidth(s.label));
    }
    const std::vector<double> depths(depthSet.begin(), depthSet.end());
    const size_t cell = 15;
    const size_t head = labelWidth + 16;
    auto find = [](const ProbeSummary& s, double depth) -> const DepthSummary* {
        for (const auto& d : s.depths)
            if (std::fabs(d.depth - depth) < 1e-9) return &d;
        return nullptr;
    };
    auto header = [&](const std::string& title) {
        out << title << "\n" << pad("", head);
        for (double d : depths) out << pad(depthLabel(d), cell, true);
        out << "\n";
    };
    if (!summaries.empty()) {
        const auto& s0 = summaries.front();
        out << "Needle probe: step " << s0.step << ", context " << s0.contextLength << " tokens, "
            << s0.needles << " needle(s)";
        if (!s0.query.empty())
            out << ", query row: " << (s0.query == "last" ? "last prompt token" : "mean over question");
        out << "; mean ± std over samples of the mean over heads, then layers\n";
        for (const auto& s : summaries)
            if (s.step != s0.step || s.contextLength != s0.contextLength || s.needles != s0.needles)
                out << "  note: " << s.label << " is at step " << s.step << ", context " << s.contextLength
                    << ", " << s.needles << " needle(s)\n";
    }
    for (Normalisation norm : norms) {
        out << "\n";
        header(normTitle(norm));
        for (const char* bucket : {"answer", "noise"}) {
            const bool answer = std::string(bucket) == "answer";
            for (const auto& s : summaries) {
                out << pad(std::string(bucket) + (answer ? " (up)" : " (down)"), 14) << "  "
                    << pad(s.label, labelWidth);
                for (double depth : depths) {
                    const DepthSummary* d = find(s, depth);
                    out << pad(
                        d ? fmtMeanStd(answer ? s.norm(*d, norm).answer : s.norm(*d, norm).noise) : "-", cell,
                        true);
                }
                out << "\n";
            }
        }
        for (const auto& s : summaries) {
            out << pad("answer/noise", 14) << "  " << pad(s.label, labelWidth);
            for (double depth : depths) {
                const DepthSummary* d = find(s, depth);
                out << pad(d ? fmt(s.norm(*d, norm).ratio, "%.3g") : "-", cell, true);
            }
            out << "\n";
        }
    }
    out << "\n";
    header("retrieval accuracy (greedy continuation = the number)");
    for (const auto& s : summaries) {
        out << pad("accuracy", 14) << "  " << pad(s.label, labelWidth);
        for (double depth : depths) {
            const DepthSummary* d = find(s, depth);
            std::string text = "-";
            if (d)
                text = std::to_string(d->hits) + "/" + std::to_string(d->samples) + " (" +
                       fmt(d->accuracy, "%.2f") + ")";
            out << pad(text, cell, true);
        }
        out << "\n";
    }
    out << "\nflagged rows (signed total <= 0, left out of the signed means):";
    for (const auto& s : summaries)
        out << "  " << s.label << " " << s.flaggedRows() << " of " << s.rows() << ";";
    out << "\n";
    return out.str();
}

std::string probeCsv(const std::vector<ProbeSummary>& summaries) {
    std::ostringstream out;
    out << "run_id,model,kind,step,context_length,needles,depth,samples";
    for (const char* n : {"signed", "abs", "raw"}) {
        for (const char* b : {"answer", "noise", "sink", "query"})
            out << "," << n << "_" << b << "_mean," << n << "_" << b << "_std";
        out << "," << n << "_answer_noise_ratio";
    }
    out << ",hits,accuracy,rows,flagged_rows\n";
    auto num = [](double v) { return std::isnan(v) ? std::string() : fmt(v, "%.9g"); };
    auto quoted = [](const std::string& s) {
        if (s.find_first_of(",\"\n") == std::string::npos) return s;
        std::string q = "\"";
        for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    for (const auto& s : summaries)
        for (const auto& d : s.depths) {
            out << s.runId << "," << quoted(s.label) << "," << quoted(s.kind) << "," << s.step << ","
                << s.contextLength << "," << s.needles << "," << num(d.depth) << "," << d.samples;
            for (const NormSummary* n : {&d.signedNorm, &d.absolute, &d.raw}) {
                for (const MeanStd* m : {&n->answer, &n->noise, &n->sink, &n->query})
                    out << "," << num(m->mean) << "," << num(m->std);
                out << "," << num(n->ratio);
            }
            out << "," << d.hits << "," << num(d.accuracy) << "," << d.rows << "," << d.flaggedRows << "\n";
        }
    return out.str();
}

nlohmann::json probeJson(const std::vector<ProbeSummary>& summaries) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& s : summaries) {
        nlohmann::json depths = nlohmann::json::array();
        for (const auto& d : s.depths) {
            nlohmann::json layers = nlohmann::json::array(), heads = nlohmann::json::array();
            for (const auto& l : d.perLayer)
                layers.push_back({{"layer", l.layer},
                                  {"signed", bucketsJson(l.signedNorm)},
                                  {"absolute", bucketsJson(l.absolute)},
                                  {"raw", bucketsJson(l.raw)}});
            for (const auto& h : d.perHead)
                heads.push_back({{"layer", h.layer},
                                 {"head", h.head},
                                 {"signed", bucketsJson(h.signedNorm)},
                                 {"absolute", bucketsJson(h.absolute)},
                                 {"raw", bucketsJson(h.raw)}});
            depths.push_back({{"depth", d.depth},
                              {"samples", d.samples},
                              {"hits", d.hits},
                              {"accuracy", d.accuracy},
                              {"rows", d.rows},
                              {"flagged_rows", d.flaggedRows},
                              {"signed", normJson(d.signedNorm)},
                              {"absolute", normJson(d.absolute)},
                              {"raw", normJson(d.raw)},
                              {"per_layer", layers},
                              {"per_head", heads}});
        }
        nlohmann::json run = {{"run_id", s.runId},
                              {"label", s.label},
                              {"kind", s.kind},
                              {"step", s.step},
                              {"context_length", s.contextLength},
                              {"needles", s.needles},
                              {"layers", s.layers},
                              {"heads", s.heads},
                              {"flagged_rows", s.flaggedRows()},
                              {"rows", s.rows()},
                              {"depths", depths}};
        if (!s.query.empty()) run["query"] = s.query;
        runs.push_back(run);
    }
    return {{"aggregate",
             "per sample: mean over heads, then over layers; per depth: mean and sample std over samples"},
            {"normalisations",
             {{"signed", "bucket sum / signed row total; rows with total <= 0 are flagged and left out"},
              {"absolute", "bucket sum of |a| / row sum of |a|"},
              {"raw", "bucket sums of the attention weights as used"}}},
            {"answer_noise_ratio", "mean answer / mean noise at that depth (same normalisation)"},
            {"accuracy", "fraction of samples whose greedy continuation after the question is the number"},
            {"buckets",
             {{"sink", "first token"},
              {"answer", "the number's tokens"},
              {"query", "the question's tokens"},
              {"noise", "every other context token, distractor needles included"}}},
            {"runs", runs}};
}

}  // namespace needlescope
