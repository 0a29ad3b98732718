// `needlescope-cli bench train|data|probe` — benchmarks that print figures (never run by tests).
#include <QCommandLineParser>
#include <QTextStream>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "bench/BenchData.h"
#include "bench/BenchProbe.h"
#include "bench/BenchTrain.h"
#include "core/util/Error.h"
#include "ui/settings/AppPaths.h"

namespace needlescope::cli {
namespace {

int benchTrain(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Times forward + backward + AdamW steps of both models on random tokens.");
    parser.addHelpOption();
    parser.addPositionalArgument("train", "benchmark name");
    parser.addOptions({
        {"config", "small or seed.", "name", "small"},
        {"models", "Comma-separated: standard,diff,diff2.", "list", "standard,diff,diff2"},
        {"threads", "Intra-op threads (0 = all cores).", "n", "0"},
        {"warmup", "Untimed warm-up steps.", "n", "3"},
        {"steps", "Timed steps.", "n", "10"},
        {"device", "cpu, cuda, cuda:N or auto.", "device", "cpu"},
        {"keep-freed-memory", "on or off: keep freed buffers instead of returning them to the OS.", "on|off",
         "on"},
        {"json",
         "Also write the figures (config, threads, BLAS core, GEMM peak, per model: ms/step mean, "
         "median and min, tokens/s, peak RSS, MFU) to this JSON file.",
         "file"},
    });
    if (!parseOrExplain(parser, args)) return Ok;
    bench::TrainBenchOptions options;
    options.config = parser.value("config").toStdString();
    options.models = parseModelKinds(parser.value("models"));
    options.threads = parseInt(parser, "threads", 0);
    options.warmupSteps = parseInt(parser, "warmup", 0);
    options.timedSteps = parseInt(parser, "steps", 1);
    options.device = parser.value("device").toStdString();
    const QString keep = parser.value("keep-freed-memory");
    if (keep != "on" && keep != "off")
        throw BadUsage("--keep-freed-memory expects on or off, got '" + keep.toStdString() + "'");
    options.keepFreedMemory = keep == "on";
    options.jsonPath = parser.value("json").toStdString();
    return bench::runTrainBench(options);
}

int benchProbe(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Times one needle-probe placement (forward + attention capture + buckets) on a quick-sized model.");
    parser.addHelpOption();
    parser.addPositionalArgument("probe", "benchmark name");
    parser.addOptions({
        {"ctx", "Comma-separated context lengths.", "list", "256,512"},
        {"models", "Comma-separated: standard,diff,diff2.", "list", "standard,diff,diff2"},
        {"threads", "Intra-op threads (0 = all cores).", "n", "0"},
        {"warmup", "Untimed warm-up placements.", "n", "3"},
        {"repeats", "Timed placements (the median is reported).", "n", "15"},
        {"query", "last or question (mean over the question rows).", "mode", "last"},
    });
    if (!parseOrExplain(parser, args)) return Ok;
    bench::ProbeBenchOptions options;
    options.contexts.clear();
    for (const QString& part : parser.value("ctx").split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int value = part.trimmed().toInt(&ok);
        if (!ok || value < 64) throw BadUsage("--ctx expects context lengths >= 64");
        options.contexts.push_back(value);
    }
    if (options.contexts.empty()) throw BadUsage("--ctx needs at least one context length");
    requireDistinct(options.contexts, "ctx");
    options.models = parseModelKinds(parser.value("models"));
    options.threads = parseInt(parser, "threads", 0);
    options.warmup = parseInt(parser, "warmup", 0);
    options.repeats = parseInt(parser, "repeats", 1);
    options.questionMean = parser.value("query") == "question";
    return bench::runProbeBench(options);
}

int benchData(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Times tokenizer training on the train split, encoding it, and loading it back from the cache.");
    parser.addHelpOption();
    parser.addPositionalArgument("data", "benchmark name");
    parser.addOptions({
        {"data", "Corpus folder (default: the usual data search order).", "dir"},
        {"vocab", "Tokenizer vocabulary size.", "n", "8192"},
        {"threads", "Threads for training and encoding (0 = all cores).", "n", "0"},
    });
    if (!parseOrExplain(parser, args)) return Ok;
    const auto paths = app::resolveAppPaths({}, parser.value("data"), /*createFolders=*/false);
    return bench::runDataBench(paths.locateData().toStdString(), parseInt(parser, "vocab", 260),
                               parseInt(parser, "threads", 0));
}

}  // namespace

int runBench(const QStringList& args) {
    const QString which = args.size() > 1 ? args.at(1) : QString();
    if (which == "train") return benchTrain(args.mid(1));
    if (which == "probe") return benchProbe(args.mid(1));
    if (which == "data") return benchData(args.mid(1));
    QTextStream(stderr) << "usage: needlescope-cli bench train|data|probe [options]\n";
    return UsageError;
}

}  // namespace needlescope::cli
