#include "core/probe/ProbeGrid.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "core/probe/Study.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

std::string fmt(double v, const char* format) {
    if (std::isnan(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

}  // namespace

std::vector<GridCell> probeGrid(const std::vector<ProbeRow>& rows, Normalisation norm) {
    if (rows.empty()) return {};
    const ProbeRow& first = rows.front();
    std::map<std::pair<int64_t, int64_t>, std::vector<ProbeRow>> byShape;  // (needles, ctx) → rows
    for (const ProbeRow& r : rows) {
        if (r.runId != first.runId || r.step != first.step || r.query != first.query ||
            r.answerSpan != first.answerSpan || r.probeSeed != first.probeSeed)
            throw Error("a probe grid reads one run at one step with one set of probe settings");
        byShape[{r.needles, r.contextLength}].push_back(r);
    }
    std::vector<GridCell> cells;
    for (const auto& [shape, shapeRows] : byShape) {
        std::map<double, std::vector<SampleOutcome>> byDepth;
        for (const SampleOutcome& o : sampleOutcomes(shapeRows)) byDepth[o.depth].push_back(o);
        for (const auto& [depth, outcomes] : byDepth) {
            GridCell cell;
            cell.needles = shape.first;
            cell.contextLength = shape.second;
            cell.depth = depth;
            cell.samples = int64_t(outcomes.size());
            std::vector<double> answer, noise;
            int64_t hits = 0;
            for (const SampleOutcome& o : outcomes) {
                const BucketValues& b = pick(o.means, norm);
                answer.push_back(b.answer);
                noise.push_back(b.noise);
                hits += o.hit ? 1 : 0;
            }
            cell.accuracy = double(hits) / double(outcomes.size());
            cell.answer = meanStd(answer).mean;
            cell.noise = meanStd(noise).mean;
            cells.push_back(cell);
        }
    }
    return cells;
}

std::string formatGrid(const std::vector<GridCell>& cells, const std::string& label) {
    std::ostringstream out;
    std::set<int64_t> contexts, needles;
    std::set<double> depths;
    std::map<std::tuple<int64_t, int64_t, double>, const GridCell*> at;
    for (const GridCell& c : cells) {
        contexts.insert(c.contextLength);
        needles.insert(c.needles);
        depths.insert(c.depth);
        at[{c.needles, c.contextLength, c.depth}] = &c;
    }
    if (cells.empty()) return "";
    auto header = [&](const std::string& first) {
        out << "| " << first << " |";
        for (int64_t ctx : contexts) out << " " << ctx << " |";
        out << "\n|---|";
        for (size_t i = 0; i < contexts.size(); ++i) out << "---|";
        out << "\n";
    };
    const int64_t single = *needles.begin();
    for (const char* what : {"retrieval accuracy", "answer attention"}) {
        const bool accuracy = what[0] == 'r';
        out << "\n" << label << ": " << what << ", depth × context length (" << single << " needle(s))\n\n";
        header("depth");
        for (double d : depths) {
            out << "| " << fmt(d, "%g") << " % |";
            for (int64_t ctx : contexts) {
                const auto it = at.find({single, ctx, d});
                out << " "
                    << (it == at.end() ? std::string("–")
                        : accuracy     ? fmt(100 * it->second->accuracy, "%.0f %%")
                                       : fmt(it->second->answer, "%.3f"))
                    << " |";
            }
            out << "\n";
        }
    }
    if (needles.size() > 1) {
        out << "\n" << label << ": retrieval accuracy by needle count (mean over depths)\n\n";
        header("needles");
        for (int64_t n : needles) {
            out << "| " << n << " |";
            for (int64_t ctx : contexts) {
                double sum = 0;
                int count = 0;
                for (double d : depths) {
                    const auto it = at.find({n, ctx, d});
                    if (it != at.end()) {
                        sum += it->second->accuracy;
                        ++count;
                    }
                }
                out << " " << (count ? fmt(100 * sum / count, "%.0f %%") : std::string("–")) << " |";
            }
            out << "\n";
        }
    }
    return out.str();
}

}  // namespace needlescope
