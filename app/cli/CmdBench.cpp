// `needlescope-cli bench train|data|probe` — benchmarks that print figures (never run by tests).
#include <QCommandLineParser>
#include <QTextStream>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "bench/BenchTrain.h"
#include "core/util/Error.h"

namespace needlescope::cli {
namespace {

int benchTrain(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Times forward + backward + AdamW steps of both models on random tokens.");
    parser.addHelpOption();
    parser.addPositionalArgument("train", "benchmark name");
    parser.addOptions({
        {"config", "small or seed.", "name", "small"},
        {"models", "Comma-separated: standard,diff.", "list", "standard,diff"},
        {"threads", "Intra-op threads (0 = all cores).", "n", "0"},
        {"warmup", "Untimed warm-up steps.", "n", "3"},
        {"steps", "Timed steps.", "n", "10"},
        {"device", "cpu, cuda, cuda:N or auto.", "device", "cpu"},
        {"keep-freed-memory", "on or off: keep freed buffers instead of returning them to the OS.", "on|off", "on"},
    });
    if (!parseOrExplain(parser, args)) return Ok;
    bench::TrainBenchOptions options;
    options.config = parser.value("config").toStdString();
    options.models = parseModelKinds(parser.value("models"));
    options.threads = parseInt(parser, "threads", 0);
    options.warmupSteps = parseInt(parser, "warmup", 0);
    options.timedSteps = parseInt(parser, "steps", 1);
    options.device = parser.value("device").toStdString();
    options.keepFreedMemory = parser.value("keep-freed-memory") != "off";
    return bench::runTrainBench(options);
}

}  // namespace

int runBench(const QStringList& args) {
    const QString which = args.size() > 1 ? args.at(1) : QString();
    if (which == "train") return benchTrain(args.mid(1));
    QTextStream(stderr) << "usage: needlescope-cli bench train|data|probe [options]\n";
    return UsageError;
}

}  // namespace needlescope::cli
