#include <QTextStream>
#include <algorithm>
#include <functional>
#include <map>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "core/util/BlasKernel.h"
#include "core/util/Runtime.h"

namespace needlescope::cli {
namespace {

struct Command {
    std::function<int(const QStringList&)> run;
    const char* summary;
};

const std::map<QString, Command>& commands() {
    static const std::map<QString, Command> table = {
        {"train", {runTrain, "train standard and DIFF models on the same batches (or --resume RUN)"}},
        {"runs", {runRuns, "list, show, tag, note or delete stored runs"}},
        {"export", {runExport, "write metrics CSV or a run's JSON"}},
        {"export-weights", {runExportWeights, "write a run's weights as a PyTorch state dict (torch.load)"}},
        {"probe", {runProbe, "needle probe of a run: answer/noise attention per depth, retrieval accuracy"}},
        {"report",
         {runReport, "needle-probe report of a paired experiment: table, CSV, JSON, PNG/SVG figure"}},
        {"study", {runStudy, "the whole protocol: K seeds of paired runs, probe, report with CIs and tests"}},
        {"bench", {runBench, "time training, data or probe work and print figures (bench train|data|probe)"}},
    };
    return table;
}

int usage(QTextStream& out) {
    out << "usage: needlescope-cli <command> [options]   (needlescope-cli <command> --help for details)\n\n";
    qsizetype width = 0;
    for (const auto& entry : commands()) width = std::max(width, entry.first.size());
    for (const auto& [name, command] : commands())
        out << "  " << name.leftJustified(width + 2) << command.summary << "\n";
    out << "\nexit codes: 0 done, 1 error, 2 bad command line or config,\n"
           "            3 training stopped by Ctrl-C or SIGTERM (checkpointed; continue with `train --resume "
           "RUN`)\n";
    return UsageError;
}

}  // namespace

int dispatch(const QStringList& arguments) {
    QTextStream err(stderr);
    if (arguments.size() < 2) return usage(err);
    const QString name = arguments.at(1);
    if (name == "--help" || name == "-h" || name == "help") {
        QTextStream out(stdout);
        usage(out);
        return Ok;
    }
    if (name == "--version") {
        QTextStream(stdout) << "needlescope-cli " << NEEDLESCOPE_VERSION << "\nLibTorch "
                            << QString::fromStdString(torchVersion()) << ", BLAS "
                            << QString::fromStdString(blasInfo()) << ", "
                            << QString::fromStdString(blasCoreSummary()) << "\n";
        return Ok;
    }
    const auto it = commands().find(name);
    if (it == commands().end()) {
        err << "needlescope-cli: unknown command '" << name << "'\n";
        return usage(err);
    }
    return guarded([&] { return it->second.run(arguments.mid(1)); });
}

}  // namespace needlescope::cli
