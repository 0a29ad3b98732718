// `needlescope-cli study`: the whole protocol in one command — K seeds of paired runs trained on the same
// batches, each probed on identical prompts at every depth, and the report: Markdown summary with the
// Table-3-style table, 95 % bootstrap intervals, the sign-flip and McNemar tests, CSV, JSON and the figure.
#include <unistd.h>

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "app/cli/ProgressPrinter.h"
#include "app/cli/StopOnSignal.h"
#include "core/probe/StoredRunProbe.h"
#include "core/probe/Study.h"
#include "core/probe/TrainingProbe.h"
#include "core/train/SeedStudy.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "ui/settings/AppPaths.h"

#ifdef NEEDLESCOPE_HAVE_REPORT
#include "app/report/ReportFigure.h"
#endif

namespace needlescope::cli {
namespace {

void writeText(const QString& path, const std::string& text) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(text.data(), qint64(text.size())) != qint64(text.size()))
        throw Error("cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
}

std::vector<double> parseDepthList(const QString& list) {
    std::vector<double> depths;
    for (const QString& part : list.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const double d = part.trimmed().toDouble(&ok);
        if (!ok || !(d >= 0 && d <= 100))
            throw BadUsage("--depths expects percentages 0-100, got '" + part.toStdString() + "'");
        depths.push_back(d);
    }
    if (depths.empty()) throw BadUsage("--depths needs at least one depth");
    requireDistinct(depths, "depths");
    return depths;
}

// The runs tagged with the study, oldest first.
std::vector<RunRecord> studyRuns(const RunStore& store, const std::string& name) {
    RunFilter filter;
    filter.text = studyTag(name);
    std::vector<RunRecord> runs;
    for (const RunRecord& r : store.runs(filter))
        if (std::find(r.tags.begin(), r.tags.end(), studyTag(name)) != r.tags.end()) runs.push_back(r);
    std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.id < b.id; });
    return runs;
}

// Minutes of training (wall time of the train-loss metric) up to `step`, or −1.
double minutesAt(const RunStore& store, int64_t runId, int64_t step) {
    if (step < 0) return -1;
    double wall = -1;
    for (const MetricPoint& m : store.metrics(runId, "train_loss"))
        if (m.step <= step) wall = m.wallTime;
    return wall < 0 ? -1 : wall / 60.0;
}

}  // namespace

int runStudy(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "The study: K seeds of paired runs (same batches, same shared initial weights within a seed), each "
        "probed on identical prompts at every depth, and a report with 95 % bootstrap intervals, the exact "
        "sign-flip test over seeds and McNemar's test on retrieval (Markdown, CSV, JSON, PNG/SVG figure).");
    parser.addHelpOption();
    parser.addPositionalArgument("study", "command name");
    parser.addOptions({
        {"preset", "Preset to train (see `train --help`).", "name", "needle"},
        {"config", "Training config JSON file (instead of --preset).", "file"},
        {"seeds",
         "Paired runs with seeds base, base+1, ... (6 or more for the sign-flip test to reach p < 0.05).",
         "k", "3"},
        {"models", "Comma-separated model kinds (the first is the baseline of the comparison).", "list"},
        {"steps", "Total optimisation steps (overrides the preset).", "n"},
        {"samples", "Probe prompts per depth after training (the same prompts for every model and seed).",
         "n", "20"},
        {"depths", "Needle depths in percent.", "list", "0,25,50,75,100"},
        {"norm", "Normalisation of the table and figure: signed, absolute or raw.", "norm", "signed"},
        {"name", "Study name (default: <preset>-study-<time>).", "name"},
        {"analyse", "Skip training: probe (where needed) and report the existing study NAME.", "name"},
        {"out", "Output folder (default: ./needlescope-study-<name>).", "dir"},
        {"threads", "Intra-op threads (0 = all cores).", "n"},
        {"data", "Corpus folder (WikiText-2/103 or plain text).", "dir"},
        {"db", "Run store (SQLite) path.", "file"},
    });
    if (!parseOrExplain(parser, args)) return Ok;
    const int seeds = parseInt(parser, "seeds", 1);
    const int samples = parseInt(parser, "samples", 1);
    const std::vector<double> depths = parseDepthList(parser.value("depths"));
    Normalisation norm;
    const QString normText = parser.value("norm");
    if (normText == "signed")
        norm = Normalisation::Signed;
    else if (normText == "absolute")
        norm = Normalisation::Absolute;
    else if (normText == "raw")
        norm = Normalisation::Raw;
    else
        throw BadUsage("--norm expects signed, absolute or raw, got '" + normText.toStdString() + "'");

    const auto paths = app::resolveAppPaths(parser.value("db"), parser.value("data"));
    ProgressPrinter printer(isatty(STDOUT_FILENO));
    TrainingControl control;
    stopOnSignal(control);
    QTextStream out(stdout);

    std::string name;
    int threads = parser.isSet("threads") ? parseInt(parser, "threads", 0) : 0;
    if (parser.isSet("analyse")) {
        name = parser.value("analyse").toStdString();
    } else {
        TrainConfig config = loadTrainConfig(parser);
        if (parser.isSet("models")) config.kinds = parseModelKinds(parser.value("models"));
        if (parser.isSet("steps")) config.steps = parseInt(parser, "steps", 1);
        if (parser.isSet("threads")) config.threads = threads;
        if (config.probeEvery <= 0)
            config.probeEvery = std::max<int64_t>(1, config.evalEvery);  // steps to 95 %
        if (auto error = config.validationError()) throw BadUsage(*error);
        name = parser.isSet("name")
                   ? parser.value("name").toStdString()
                   : config.name + "-study-" +
                         QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss").toStdString();
        ExperimentPaths experimentPaths;
        experimentPaths.dbPath = paths.dbPath.toStdString();
        experimentPaths.checkpointDir = paths.checkpointDir.toStdString();
        experimentPaths.cacheDir = paths.cacheDir.toStdString();
        experimentPaths.dataDir = paths.locateData().toStdString();
        TrainingProbeSettings probeSettings;
        probeSettings.dbPath = experimentPaths.dbPath;
        probeSettings.options.depths = depths;
        ExperimentHooks hooks = makeTrainingProbeHooks(
            probeSettings, [&printer](const std::string& line) { printer.onLog(line); });
        out << "study " << QString::fromStdString(name) << ": " << seeds << " seed(s) of "
            << QString::fromStdString(config.name) << ", run store " << paths.dbPath << "\n";
        out.flush();
        threads = config.threads;
        const SeedStudyResult trained =
            trainSeeds(config, seeds, name, experimentPaths, &printer, &control, hooks);
        if (trained.status != RunStatus::Finished) {
            out << "study " << QString::fromStdString(name) << " stopped ("
                << QString::fromStdString(statusName(trained.status))
                << "); resume its runs with `train --resume`, then run `study --analyse "
                << QString::fromStdString(name) << "`\n";
            return trained.status == RunStatus::Interrupted ? Interrupted : RuntimeError;
        }
    }
    configureThreads(threads);

    RunStore store = RunStore::open(paths.dbPath.toStdString());
    const std::vector<RunRecord> runs = studyRuns(store, name);
    if (runs.empty())
        throw Error("no runs carry the tag '" + studyTag(name) + "' in " + paths.dbPath.toStdString());
    ProbeOptions options;
    options.depths = depths;
    options.samples = samples;
    std::vector<StudyRun> studyRunsData;
    for (const RunRecord& r : runs) {
        if (r.status != RunStatus::Finished)
            throw Error("run " + std::to_string(r.id) + " of the study is " + statusName(r.status) +
                        ": resume it (`train --resume " + std::to_string(r.id) + "`) before the report");
        StoredRunProbe probe(store, r.id, std::nullopt, {},
                             [&paths] { return paths.locateData().toStdString(); });
        const int64_t ctx = probe.probe().resolveContext(options, probe.model().config());
        // Probe only what is missing: the rows of an earlier probe with these settings are reused.
        std::vector<ProbeRow> rows;
        std::set<std::pair<double, int64_t>> have;
        for (const ProbeRow& row : store.probeRows(r.id, probe.checkpoint().step))
            if (row.contextLength == ctx && row.needles == 1 && row.sample < samples && row.query == "last" &&
                row.answerSpan == "number" && row.probeSeed == 0 &&
                std::find(depths.begin(), depths.end(), row.depth) != depths.end()) {
                rows.push_back(row);
                have.insert({row.depth, row.sample});
            }
        if (int64_t(have.size()) < int64_t(depths.size()) * samples) {
            out << "probing run " << r.id << " (" << QString::fromStdString(r.kind) << ") at step "
                << probe.checkpoint().step << ": " << samples << " prompts x " << depths.size()
                << " depths, context " << ctx << "\n";
            out.flush();
            ProbeResult result = probe.runAndStore(store, options);
            for (const std::string& warning : result.warnings)
                out << "warning: " << QString::fromStdString(warning) << "\n";
            rows = std::move(result.rows);
        }
        StudyRun run;
        run.runId = r.id;
        run.kind = r.kind;
        run.seed = nlohmann::json::parse(r.configJson).at("model").value("seed", uint64_t(0));
        run.rows = std::move(rows);
        run.stepsTo95 = firstStepAtLeast(store.metrics(r.id, "retrieval"));
        run.minutesTo95 = minutesAt(store, r.id, run.stepsTo95);
        studyRunsData.push_back(std::move(run));
    }
    const StudyAnalysis analysis = analyzeStudy(studyRunsData, norm);

    const QString outDir =
        parser.isSet("out") ? parser.value("out")
                            : QDir::current().filePath("needlescope-study-" + QString::fromStdString(name));
    if (!QDir().mkpath(outDir)) throw Error("cannot create the output folder '" + outDir.toStdString() + "'");
    const QDir dir(outDir);
    QStringList command = args;
    command.prepend("needlescope-cli");
    if (!parser.isSet("analyse")) command << "--name" << QString::fromStdString(name);
    const std::string title = "Needle study " + name;
    const std::string markdown = studyMarkdown(analysis, title, command.join(' ').toStdString());
    writeText(dir.filePath("study.md"), markdown);
    writeText(dir.filePath("study.csv"), studyCsv(analysis));
    nlohmann::json json = studyJson(analysis);
    json["name"] = name;
    json["command"] = command.join(' ').toStdString();
    writeText(dir.filePath("study.json"), json.dump(2) + "\n");
    out << QString::fromStdString(markdown) << "\n";
    out << "wrote " << dir.filePath("study.md") << ", study.csv, study.json\n";
#ifdef NEEDLESCOPE_HAVE_REPORT
    std::vector<report::FigureLine> lines;
    for (const std::string& kind : analysis.kinds) {
        report::FigureLine line;
        line.name = kind + " (" + std::to_string(analysis.seeds.size()) + " seeds)";
        line.depths = analysis.depths;
        for (const KindDepthStats& d : analysis.perKind.at(kind)) {
            // Error bars: the larger side of the 95 % bootstrap interval (intervals are near symmetric here).
            line.answerMean.push_back(d.answer.mean);
            line.answerStd.push_back(std::max(d.answer.mean - d.answer.low, d.answer.high - d.answer.mean));
            line.noiseMean.push_back(d.noise.mean);
            line.noiseStd.push_back(std::max(d.noise.mean - d.noise.low, d.noise.high - d.noise.mean));
        }
        lines.push_back(std::move(line));
    }
    const std::string figureTitle = "Answer and noise attention vs needle depth (" + toString(norm) +
                                    ", context " + std::to_string(analysis.contextLength) +
                                    ", bars: 95 % CI over seeds x prompts)";
    const std::string error = report::renderDepthFigure(
        lines, figureTitle,
        {dir.filePath("study.png").toStdString(), dir.filePath("study.svg").toStdString()}, 1800, 720);
    if (!error.empty()) throw Error(error);
    out << "wrote " << dir.filePath("study.png") << ", study.svg\n";
#endif
    return Ok;
}

}  // namespace needlescope::cli
