#include "core/probe/Study.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/probe/Probe.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double v, const char* format = "%.3f") {
    if (std::isnan(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

std::string fmtP(double p) {
    if (std::isnan(p)) return "n/a";
    return p < 0.001 ? "<0.001" : fmt(p, "%.3f");
}

std::string fmtInterval(const Interval& i, const char* format = "%.3f") {
    if (i.values == 0 || std::isnan(i.mean)) return "n/a";
    return fmt(i.mean, format) + " [" + fmt(i.low, format) + ", " + fmt(i.high, format) + "]";
}

std::string depthLabel(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, std::fabs(d - std::round(d)) < 1e-9 ? "%.0f%%" : "%.1f%%", d);
    return buf;
}

nlohmann::json num(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json intervalJson(const Interval& i) {
    return {{"mean", num(i.mean)},
            {"ci95_low", num(i.low)},
            {"ci95_high", num(i.high)},
            {"seeds", i.groups},
            {"values", i.values}};
}

nlohmann::json signFlipJson(const SignFlipResult& s) {
    return {{"mean_difference", num(s.meanDifference)},
            {"p", num(s.p)},
            {"seeds", s.seeds},
            {"exact", s.exact},
            {"smallest_possible_p", num(s.smallestPossibleP)}};
}

nlohmann::json mcnemarJson(const McNemarResult& m) {
    return {{"only_kind", m.onlyFirst},
            {"only_baseline", m.onlySecond},
            {"both_right", m.bothRight},
            {"both_wrong", m.bothWrong},
            {"p", num(m.p)}};
}

// Per (seed, depth): each sample's outcome, keyed by sample index.
using Outcomes = std::map<uint64_t, std::map<double, std::map<int64_t, SampleOutcome>>>;

PairedDepthStats comparePaired(const Outcomes& kind, const Outcomes& base, const std::vector<double>& depths,
                               Normalisation norm) {
    std::vector<std::vector<double>> answerGroups, noiseGroups;
    std::vector<double> answerSeed, noiseSeed;
    std::vector<bool> kindHits, baseHits;
    for (const auto& [seed, byDepth] : kind) {
        std::vector<double> a, n;
        for (double depth : depths) {
            const auto& ks = byDepth.at(depth);
            const auto& bs = base.at(seed).at(depth);
            for (const auto& [sample, k] : ks) {
                const SampleOutcome& b = bs.at(sample);
                a.push_back(pick(k.means, norm).answer - pick(b.means, norm).answer);
                n.push_back(pick(k.means, norm).noise - pick(b.means, norm).noise);
                kindHits.push_back(k.hit);
                baseHits.push_back(b.hit);
            }
        }
        answerSeed.push_back(meanStd(a).mean);
        noiseSeed.push_back(meanStd(n).mean);
        answerGroups.push_back(std::move(a));
        noiseGroups.push_back(std::move(n));
    }
    PairedDepthStats out;
    out.answerDiff = bootstrapMeanCI(answerGroups);
    out.noiseDiff = bootstrapMeanCI(noiseGroups);
    out.answerTest = signFlipTest(answerSeed);
    out.noiseTest = signFlipTest(noiseSeed);
    out.retrieval = mcnemarExact(kindHits, baseHits);
    return out;
}

}  // namespace

std::vector<SampleOutcome> sampleOutcomes(const std::vector<ProbeRow>& rows) {
    std::map<std::pair<double, int64_t>, std::vector<ProbeRow>> bySample;
    for (const ProbeRow& r : rows) bySample[{r.depth, r.sample}].push_back(r);
    std::vector<SampleOutcome> out;
    for (const auto& [key, sampleRows] : bySample)
        out.push_back({key.first, key.second, meanOverHeadsThenLayers(sampleRows), sampleRows.front().hit});
    return out;
}

int64_t firstStepAtLeast(const std::vector<MetricPoint>& retrieval, double threshold) {
    for (const MetricPoint& m : retrieval)
        if (m.value >= threshold) return m.step;
    return -1;
}

StudyAnalysis analyzeStudy(const std::vector<StudyRun>& runs, Normalisation norm) {
    if (runs.empty()) throw Error("the study has no runs");
    StudyAnalysis study;
    study.norm = norm;
    std::map<std::string, Outcomes> outcomes;  // kind → seed → depth → sample → outcome
    std::set<uint64_t> seeds;
    std::set<double> depths;
    for (const StudyRun& run : runs) {
        if (run.rows.empty())
            throw Error("run " + std::to_string(run.runId) + " (" + run.kind + ", seed " +
                        std::to_string(run.seed) + ") has no probe results to analyse");
        for (const ProbeRow& row : run.rows)
            if (row.probeSeed != runs.front().rows.front().probeSeed)
                throw Error("run " + std::to_string(run.runId) + " was probed with prompt seed " +
                            std::to_string(row.probeSeed) + ", run " + std::to_string(runs.front().runId) +
                            " with " + std::to_string(runs.front().rows.front().probeSeed) +
                            ": a study compares identical prompts");
        if (std::find(study.kinds.begin(), study.kinds.end(), run.kind) == study.kinds.end())
            study.kinds.push_back(run.kind);
        auto& bySeed = outcomes[run.kind];
        if (bySeed.count(run.seed))
            throw Error("two " + run.kind + " runs share seed " + std::to_string(run.seed) +
                        ": a study pairs one run of each kind per seed");
        auto& byDepth = bySeed[run.seed];
        for (const SampleOutcome& o : sampleOutcomes(run.rows)) {
            byDepth[o.depth][o.sample] = o;
            depths.insert(o.depth);
        }
        seeds.insert(run.seed);
        study.contextLength = run.rows.front().contextLength;
        study.promptSeed = run.rows.front().probeSeed;
        study.step = std::max(study.step, run.rows.front().step);
        ProbeSummary summary = summarizeProbe(run.rows);
        summary.kind = run.kind;
        summary.label = run.kind + " seed " + std::to_string(run.seed);
        study.flaggedRows += summary.flaggedRows();
        study.rows += summary.rows();
        study.summaries[run.kind].push_back(std::move(summary));
        study.stepsTo95[run.kind].push_back(run.stepsTo95);
        study.minutesTo95[run.kind].push_back(run.minutesTo95);
    }
    study.seeds.assign(seeds.begin(), seeds.end());
    study.depths.assign(depths.begin(), depths.end());
    // Every kind must hold every seed, every depth and the same samples: the comparison is paired.
    for (const auto& kind : study.kinds)
        for (uint64_t seed : study.seeds) {
            const auto it = outcomes[kind].find(seed);
            if (it == outcomes[kind].end())
                throw Error("seed " + std::to_string(seed) + " has no " + kind +
                            " run: the study is not paired");
            for (double depth : study.depths) {
                const auto d = it->second.find(depth);
                const auto& reference = outcomes[study.kinds.front()].at(study.seeds.front()).at(depth);
                if (d == it->second.end() || d->second.size() != reference.size())
                    throw Error("the " + kind + " run of seed " + std::to_string(seed) +
                                " was not probed with the same samples at depth " + depthLabel(depth) +
                                " as the others");
            }
        }
    study.samplesPerDepth =
        int64_t(outcomes[study.kinds.front()].at(study.seeds.front()).begin()->second.size());

    for (const auto& kind : study.kinds) {
        for (double depth : study.depths) {
            std::vector<std::vector<double>> a, n, hits;
            for (uint64_t seed : study.seeds) {
                std::vector<double> sa, sn, sh;
                for (const auto& [sample, o] : outcomes[kind].at(seed).at(depth)) {
                    (void)sample;
                    sa.push_back(pick(o.means, norm).answer);
                    sn.push_back(pick(o.means, norm).noise);
                    sh.push_back(o.hit ? 1.0 : 0.0);
                }
                a.push_back(std::move(sa));
                n.push_back(std::move(sn));
                hits.push_back(std::move(sh));
            }
            KindDepthStats s;
            s.answer = bootstrapMeanCI(a);
            s.noise = bootstrapMeanCI(n);
            s.accuracy = bootstrapMeanCI(hits);
            // A ratio over a noise share whose interval reaches 0 (DIFF's signed noise can) is noise itself.
            s.ratio = s.noise.low > 0 ? s.answer.mean / s.noise.mean : kNaN;
            if (std::isnan(s.ratio) && !std::isnan(s.noise.mean)) study.ratioUndefined = true;
            study.perKind[kind].push_back(s);
        }
    }
    const auto& base = outcomes[study.kinds.front()];
    for (size_t k = 1; k < study.kinds.size(); ++k) {
        const std::string& kind = study.kinds[k];
        for (double depth : study.depths)
            study.paired[kind].push_back(comparePaired(outcomes[kind], base, {depth}, norm));
        study.pairedAllDepths[kind] = comparePaired(outcomes[kind], base, study.depths, norm);
    }
    const int64_t needed = seedsNeededForSignFlip(0.05);
    if (int64_t(study.seeds.size()) < needed)
        study.notes.push_back(
            "K = " + std::to_string(study.seeds.size()) +
            " seed(s): an exact two-sided sign-flip test over seeds cannot reach p < 0.05 (its "
            "smallest possible p is " +
            fmt(std::min(1.0, 2.0 / std::pow(2.0, double(study.seeds.size())))) + "); it needs " +
            std::to_string(needed) +
            " seeds. The intervals and McNemar's test "
            "still describe these seeds.");
    if (study.ratioUndefined)
        study.notes.push_back(
            "answer / noise is n/a where the noise interval reaches 0 or below: a ratio over a share "
            "that is not clearly positive has no meaning; compare the answer and noise rows instead.");
    if (study.flaggedRows > 0)
        study.notes.push_back(
            std::to_string(study.flaggedRows) + " of " + std::to_string(study.rows) +
            " (layer, head) rows were flagged: their signed total is too small to normalise by, "
            "so their signed values are left out of the means.");
    return study;
}

std::string studyMarkdown(const StudyAnalysis& s, const std::string& title, const std::string& command) {
    std::ostringstream out;
    out << "# " << title << "\n\n";
    if (!command.empty()) out << "Reproduce: `" << command << "`\n\n";
    out << "Seeds: " << s.seeds.size() << " (";
    for (size_t i = 0; i < s.seeds.size(); ++i) out << (i ? ", " : "") << s.seeds[i];
    out << "); probe at step " << s.step << ", context " << s.contextLength << " tokens, "
        << s.samplesPerDepth << " prompts per depth (prompt seed " << s.promptSeed
        << (s.promptSeed == 0 ? ", the training-time probes' prompts"
                              : ", held out from the training-time probes")
        << "; identical for every model); normalisation: " << toString(s.norm)
        << "; intervals: 95 % bootstrap over seeds × prompts.\n\n";

    out << "## Retrieval\n\n| model | steps to 95 % (per seed) | minutes to 95 % |";
    for (double d : s.depths) out << " " << depthLabel(d) << " |";
    out << "\n|---|---|---|";
    for (size_t i = 0; i < s.depths.size(); ++i) out << "---|";
    out << "\n";
    for (const auto& kind : s.kinds) {
        std::string steps, minutes;
        for (int64_t v : s.stepsTo95.at(kind))
            steps += (steps.empty() ? "" : ", ") + (v < 0 ? std::string("never") : std::to_string(v));
        for (double v : s.minutesTo95.at(kind))
            minutes += (minutes.empty() ? "" : ", ") + (v < 0 ? std::string("–") : fmt(v, "%.1f"));
        out << "| " << kind << " | " << steps << " | " << minutes << " |";
        for (const auto& d : s.perKind.at(kind)) out << " " << fmt(100 * d.accuracy.mean, "%.0f") << " % |";
        out << "\n";
    }
    out << "\n## Attention to the answer and to the noise (Table 3 form)\n\n| model | bucket |";
    for (double d : s.depths) out << " " << depthLabel(d) << " |";
    out << "\n|---|---|";
    for (size_t i = 0; i < s.depths.size(); ++i) out << "---|";
    out << "\n";
    for (const auto& kind : s.kinds) {
        const auto& per = s.perKind.at(kind);
        out << "| " << kind << " | answer ↑ |";
        for (const auto& d : per) out << " " << fmtInterval(d.answer) << " |";
        out << "\n| " << kind << " | noise ↓ |";
        for (const auto& d : per) out << " " << fmtInterval(d.noise) << " |";
        out << "\n| " << kind << " | answer / noise |";
        for (const auto& d : per) out << " " << fmt(d.ratio, "%.2f") << " |";
        out << "\n";
    }
    for (const auto& [kind, perDepth] : s.paired) {
        const std::string& base = s.kinds.front();
        out << "\n## " << kind << " − " << base << ", paired on identical prompts\n\n";
        out << "| depth | Δ answer [95 % CI] | sign-flip p | Δ noise [95 % CI] | sign-flip p | retrieval: "
               "only "
            << kind << " / only " << base << " | McNemar p |\n|---|---|---|---|---|---|---|\n";
        auto row = [&](const std::string& label, const PairedDepthStats& p) {
            out << "| " << label << " | " << fmtInterval(p.answerDiff, "%+.3f") << " | "
                << fmtP(p.answerTest.p) << " | " << fmtInterval(p.noiseDiff, "%+.3f") << " | "
                << fmtP(p.noiseTest.p) << " | " << p.retrieval.onlyFirst << " / " << p.retrieval.onlySecond
                << " | " << fmtP(p.retrieval.p) << " |\n";
        };
        for (size_t i = 0; i < s.depths.size(); ++i) row(depthLabel(s.depths[i]), perDepth[i]);
        row("all", s.pairedAllDepths.at(kind));
    }
    out << "\n## Per layer (answer / noise, mean over seeds, prompts and depths)\n\n| model | layer | answer "
           "| noise |\n|---|---|---|---|\n";
    for (const auto& kind : s.kinds) {
        std::map<int64_t, std::pair<std::vector<double>, std::vector<double>>> layers;
        for (const ProbeSummary& sum : s.summaries.at(kind))
            for (const DepthSummary& d : sum.depths)
                for (const LayerHeadMeans& l : d.perLayer) {
                    const BucketValues& b = s.norm == Normalisation::Signed     ? l.signedNorm
                                            : s.norm == Normalisation::Absolute ? l.absolute
                                                                                : l.raw;
                    layers[l.layer].first.push_back(b.answer);
                    layers[l.layer].second.push_back(b.noise);
                }
        for (const auto& [layer, an] : layers)
            out << "| " << kind << " | " << layer << " | " << fmt(meanStd(an.first).mean) << " | "
                << fmt(meanStd(an.second).mean) << " |\n";
    }
    if (!s.notes.empty()) {
        out << "\n## Notes\n\n";
        for (const auto& n : s.notes) out << "- " << n << "\n";
    }
    return out.str();
}

std::string studyCsv(const StudyAnalysis& s) {
    std::ostringstream out;
    out << "kind,depth,answer_mean,answer_ci_low,answer_ci_high,noise_mean,noise_ci_low,noise_ci_high,ratio,"
           "accuracy,seeds,prompts_per_seed\n";
    char buf[512];
    for (const auto& kind : s.kinds)
        for (size_t i = 0; i < s.depths.size(); ++i) {
            const auto& d = s.perKind.at(kind)[i];
            std::snprintf(buf, sizeof buf, "%s,%g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%zu,%lld\n",
                          kind.c_str(), s.depths[i], d.answer.mean, d.answer.low, d.answer.high, d.noise.mean,
                          d.noise.low, d.noise.high, d.ratio, d.accuracy.mean, s.seeds.size(),
                          (long long)s.samplesPerDepth);
            out << buf;
        }
    out << "\ncomparison,depth,answer_diff,answer_diff_ci_low,answer_diff_ci_high,answer_signflip_p,noise_"
           "diff,"
           "noise_diff_ci_low,noise_diff_ci_high,noise_signflip_p,retrieval_only_kind,retrieval_only_"
           "baseline,mcnemar_p\n";
    for (const auto& [kind, perDepth] : s.paired)
        for (size_t i = 0; i <= s.depths.size(); ++i) {
            const PairedDepthStats& p = i < s.depths.size() ? perDepth[i] : s.pairedAllDepths.at(kind);
            std::snprintf(buf, sizeof buf,
                          "%s-%s,%s,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%lld,%lld,%.6g\n", kind.c_str(),
                          s.kinds.front().c_str(),
                          i < s.depths.size() ? fmt(s.depths[i], "%g").c_str() : "all", p.answerDiff.mean,
                          p.answerDiff.low, p.answerDiff.high, p.answerTest.p, p.noiseDiff.mean,
                          p.noiseDiff.low, p.noiseDiff.high, p.noiseTest.p, (long long)p.retrieval.onlyFirst,
                          (long long)p.retrieval.onlySecond, p.retrieval.p);
            out << buf;
        }
    return out.str();
}

nlohmann::json studyJson(const StudyAnalysis& s) {
    nlohmann::json j;
    j["normalisation"] = toString(s.norm);
    j["kinds"] = s.kinds;
    j["seeds"] = s.seeds;
    j["depths"] = s.depths;
    j["context_length"] = s.contextLength;
    j["step"] = s.step;
    j["prompt_seed"] = s.promptSeed;
    j["prompts_per_depth"] = s.samplesPerDepth;
    j["flagged_rows"] = s.flaggedRows;
    j["rows"] = s.rows;
    j["notes"] = s.notes;
    for (const auto& kind : s.kinds) {
        nlohmann::json k;
        k["steps_to_95"] = s.stepsTo95.at(kind);
        k["minutes_to_95"] = s.minutesTo95.at(kind);
        for (size_t i = 0; i < s.depths.size(); ++i) {
            const auto& d = s.perKind.at(kind)[i];
            k["depths"].push_back({{"depth", s.depths[i]},
                                   {"answer", intervalJson(d.answer)},
                                   {"noise", intervalJson(d.noise)},
                                   {"accuracy", intervalJson(d.accuracy)},
                                   {"ratio", num(d.ratio)}});
        }
        k["runs"] = probeJson(s.summaries.at(kind));
        j["per_kind"][kind] = k;
    }
    for (const auto& [kind, perDepth] : s.paired) {
        nlohmann::json c;
        c["baseline"] = s.kinds.front();
        for (size_t i = 0; i <= s.depths.size(); ++i) {
            const PairedDepthStats& p = i < s.depths.size() ? perDepth[i] : s.pairedAllDepths.at(kind);
            c["depths"].push_back(
                {{"depth", i < s.depths.size() ? nlohmann::json(s.depths[i]) : nlohmann::json("all")},
                 {"answer_diff", intervalJson(p.answerDiff)},
                 {"answer_signflip", signFlipJson(p.answerTest)},
                 {"noise_diff", intervalJson(p.noiseDiff)},
                 {"noise_signflip", signFlipJson(p.noiseTest)},
                 {"retrieval_mcnemar", mcnemarJson(p.retrieval)}});
        }
        j["paired"][kind] = c;
    }
    return j;
}

}  // namespace needlescope
