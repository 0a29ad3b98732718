// `needlescope-cli study`: the whole protocol in one command — K seeds of paired runs trained on the same
// batches, each probed on identical prompts at every depth, and the report: Markdown summary with the
// Table-3-style table, 95 % bootstrap intervals, the sign-flip and McNemar tests, CSV, JSON and the figure.
#include <unistd.h>

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QTextStream>
#include <algorithm>
#include <cmath>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "app/cli/ProgressPrinter.h"
#include "app/cli/StopOnSignal.h"
#include "core/probe/Study.h"
#include "core/probe/StudyRunner.h"
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
        {"samples", "Probe prompts per depth after training (the same prompts for every model and seed).",
         "n", "20"},
        {"depths", "Needle depths in percent.", "list", "0,25,50,75,100"},
        {"prompt-seed",
         "Seed of the probe prompts after training. 0 (default) reuses the training-time probes' prompts; "
         "another seed gives held-out prompts that no choice made while training has seen.",
         "n", "0"},
        {"norm", "Normalisation of the table and figure: signed, absolute or raw.", "norm", "signed"},
        {"name", "Study name (default: <preset>-study-<time>).", "name"},
        {"analyse", "Skip training: probe (where needed) and report the existing study NAME.", "name"},
        {"out", "Output folder (default: ./needlescope-study-<name>).", "dir"},
        {"threads", "Intra-op threads (0 = all cores).", "n"},
        {"data", "Corpus folder (WikiText-2/103 or plain text).", "dir"},
        {"db", "Run store (SQLite) path.", "file"},
    });
    parser.addOptions(presetOverrideOptions());
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
    StudyProbeSettings settings;
    settings.depths = depths;
    settings.samples = samples;
    settings.promptSeed = uint64_t(parseInt(parser, "prompt-seed", 0));
    settings.norm = norm;
    settings.fallbackDataDir = [&paths] { return paths.locateData().toStdString(); };
    StudyProgress progress;
    progress.log = [&out](const std::string& line) {
        out << QString::fromStdString(line) << "\n";
        out.flush();
    };
    const StudyAnalysis analysis = probeStudy(store, name, settings, progress);

    const QString outDir =
        parser.isSet("out") ? parser.value("out")
                            : QDir::current().filePath("needlescope-study-" + QString::fromStdString(name));
    const QDir dir(outDir);
    QStringList command = args;
    command.prepend("needlescope-cli");
    if (!parser.isSet("analyse") && !parser.isSet("name"))
        command << "--name" << QString::fromStdString(name);
    const std::string markdown =
        writeStudyReport(outDir.toStdString(), analysis, name, command.join(' ').toStdString());
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
