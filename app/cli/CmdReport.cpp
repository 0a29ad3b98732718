// `needlescope-cli report`: the needle-probe report of a paired experiment — the Table-3-style table,
// a CSV (one row per model and depth), a JSON with every figure, and the two-panel depth figure as PNG
// and SVG (Qt Charts, offscreen; no display needed).
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTextStream>
#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "core/probe/ProbeReport.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"
#include "ui/settings/AppPaths.h"

#ifdef NEEDLESCOPE_HAVE_REPORT
#include "app/report/ReportFigure.h"
#endif

namespace needlescope::cli {
namespace {

void writeFile(const QString& path, const std::string& text) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(text.data(), qint64(text.size())) != qint64(text.size()))
        throw Error("cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
}

Normalisation parseNorm(const QString& text) {
    if (text == "signed") return Normalisation::Signed;
    if (text == "absolute") return Normalisation::Absolute;
    if (text == "raw") return Normalisation::Raw;
    throw BadUsage("--norm expects signed, absolute or raw, got '" + text.toStdString() + "'");
}

QString safeName(const QString& text) {
    QString out;
    for (QChar c : text) out += (c.isLetterOrNumber() || c == '-' || c == '_' || c == '.') ? c : QChar('_');
    return out;
}

}  // namespace

std::unique_ptr<QCoreApplication> makeApplication(int& argc, char** argv) {
#ifdef NEEDLESCOPE_HAVE_REPORT
    if (argc > 1 && (std::strcmp(argv[1], "report") == 0 || std::strcmp(argv[1], "study") == 0))
        return report::makeRenderingApplication(argc, argv);
#endif
    return std::make_unique<QCoreApplication>(argc, argv);
}

int runReport(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Needle-probe report of a paired experiment: table, CSV, JSON, and the answer/noise vs depth figure "
        "(PNG and SVG). Reads the probe results stored by `needlescope-cli probe` (or during training).");
    parser.addHelpOption();
    parser.addPositionalArgument("report", "command name");
    parser.addOptions({
        {"group", "Experiment group: every run in it.", "group"},
        {"runs", "Comma-separated run ids (instead of --group).", "list"},
        {"out", "Output folder (default: ./needlescope-report-<group>).", "dir"},
        {"step", "Probe step (default: each run's latest probed step).", "step"},
        {"ctx", "Context length (default: the longest probed).", "tokens"},
        {"needles", "Needle count (default: the fewest probed).", "n"},
        {"norm", "Normalisation drawn in the figure: signed, absolute or raw.", "norm", "signed"},
        {"db", "Run store (SQLite) path.", "file"},
    });
    if (!parseOrExplain(parser, args)) return Ok;
    if (parser.isSet("group") == parser.isSet("runs"))
        throw BadUsage("report needs either --group G or --runs A,B");
    const Normalisation figureNorm = parseNorm(parser.value("norm"));
    ProbeSelection selection;
    if (parser.isSet("step")) selection.step = parseInt(parser, "step", 0);
    if (parser.isSet("ctx")) selection.contextLength = parseInt(parser, "ctx", 1);
    if (parser.isSet("needles")) selection.needles = parseInt(parser, "needles", 1);

    const auto paths = app::resolveAppPaths(parser.value("db"), QString(), /*createFolders=*/false);
    const RunStore store = RunStore::open(paths.dbPath.toStdString(), true);
    std::vector<RunRecord> runs;
    QString name;
    if (parser.isSet("group")) {
        runs = store.group(parser.value("group").toStdString());
        if (runs.empty()) throw Error("no runs in group '" + parser.value("group").toStdString() + "'");
        name = parser.value("group");
    } else {
        name = "runs";
        for (int64_t id : parseRunIds(parser.value("runs"), "runs")) {
            runs.push_back(store.run(id));
            name += "-" + QString::number(id);
        }
    }

    std::map<std::string, int> kindCount;
    for (const auto& r : runs) ++kindCount[r.kind];
    std::vector<ProbeSummary> summaries;
    for (const auto& r : runs) {
        const std::vector<ProbeRow> rows = store.probeRows(r.id);
        if (rows.empty())
            throw Error("run " + std::to_string(r.id) + " (" + r.kind + ", group " + r.group +
                        ") has no stored probe results; probe it first: `needlescope-cli probe --run " +
                        std::to_string(r.id) + "`");
        ProbeSummary s = selectAndSummarize(rows, selection);
        s.kind = r.kind;
        s.label = kindCount[r.kind] > 1 ? r.kind + " #" + std::to_string(r.id) : r.kind;
        summaries.push_back(std::move(s));
    }

    const QString outDir = parser.isSet("out")
                               ? parser.value("out")
                               : QDir::current().filePath("needlescope-report-" + safeName(name));
    if (!QDir().mkpath(outDir)) throw Error("cannot create the output folder '" + outDir.toStdString() + "'");
    const QDir dir(outDir);
    const QString csvPath = dir.filePath("needle-probe.csv"), jsonPath = dir.filePath("needle-probe.json");
    const QString pngPath = dir.filePath("needle-probe.png"), svgPath = dir.filePath("needle-probe.svg");

    nlohmann::json json = probeJson(summaries);
    json["source"] = {{"db", paths.dbPath.toStdString()}, {"selection", name.toStdString()}};
    nlohmann::json figure = {{"normalisation", toString(figureNorm)}, {"lines", nlohmann::json::array()}};
    const std::string title = "Needle probe, " + name.toStdString() + " (" + toString(figureNorm) +
                              ", step " + std::to_string(summaries.front().step) + ", context " +
                              std::to_string(summaries.front().contextLength) + ")";
#ifdef NEEDLESCOPE_HAVE_REPORT
    std::vector<report::FigureLine> lines;
#endif
    for (const auto& s : summaries) {
        nlohmann::json line = {{"name", s.label}, {"run_id", s.runId}};
        std::vector<double> depths, am, as, nm, ns;
        for (const auto& d : s.depths) {
            const NormSummary& n = s.norm(d, figureNorm);
            depths.push_back(d.depth);
            am.push_back(n.answer.mean);
            as.push_back(n.answer.std);
            nm.push_back(n.noise.mean);
            ns.push_back(n.noise.std);
        }
        auto nullable = [](const std::vector<double>& v) {
            nlohmann::json a = nlohmann::json::array();
            for (double x : v) a.push_back(std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(x));
            return a;
        };
        line["depths"] = depths;
        line["answer_mean"] = nullable(am);
        line["answer_std"] = nullable(as);
        line["noise_mean"] = nullable(nm);
        line["noise_std"] = nullable(ns);
        figure["lines"].push_back(line);
#ifdef NEEDLESCOPE_HAVE_REPORT
        lines.push_back({s.label, depths, am, as, nm, ns, s.kind});
#endif
    }
    json["figure"] = figure;
    json["title"] = title;

    writeFile(csvPath, probeCsv(summaries));
    writeFile(jsonPath, json.dump(2) + "\n");
    QTextStream out(stdout);
    out << QString::fromStdString(formatProbeTable(summaries)) << "\n";
    out << "wrote " << csvPath << "\nwrote " << jsonPath << "\n";
#ifdef NEEDLESCOPE_HAVE_REPORT
    const std::string error =
        report::renderDepthFigure(lines, title, {pngPath.toStdString(), svgPath.toStdString()});
    if (!error.empty()) throw Error(error);
    out << "wrote " << pngPath << "\nwrote " << svgPath << "\n";
#else
    out << "figure not rendered: this needlescope-cli was built without Qt Charts "
           "(NEEDLESCOPE_BUILD_UI=OFF)\n";
#endif
    return Ok;
}

}  // namespace needlescope::cli
