// `needlescope-cli export` (metrics CSV / run JSON) and `export-weights` (PyTorch state dict).
#include <QCommandLineParser>
#include <QFile>
#include <QSaveFile>
#include <QTextStream>
#include <cstdio>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "core/store/Export.h"
#include "core/store/RunStore.h"
#include "core/train/Checkpoint.h"
#include "core/train/WeightExport.h"
#include "core/util/Error.h"
#include "ui/settings/AppPaths.h"

namespace needlescope::cli {
namespace {

void writeOutput(const QString& path, const std::string& text) {
    if (path.isEmpty() || path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(text.data(), qint64(text.size())) != qint64(text.size()) || !file.commit())
        throw Error("cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
    std::fprintf(stderr, "wrote %s\n", path.toUtf8().constData());
}

}  // namespace

int runExport(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "export --runs A,B [--out metrics.csv]  |  export --json --run ID [--out run.json]");
    parser.addHelpOption();
    parser.addOptions({{"db", "Run store (SQLite) path.", "file"},
                       {"runs", "Runs whose metrics go into one CSV.", "ids"},
                       {"run", "The run to export as JSON.", "id"},
                       {"json", "Export the run's config, status, checkpoints and results as JSON."},
                       {"out", "Output file (default: standard output).", "file"}});
    if (!parseOrExplain(parser, args)) return Ok;
    if (parser.isSet("json") && !parser.isSet("run")) throw BadUsage("--json needs --run ID");
    if (!parser.isSet("json") && !parser.isSet("runs"))
        throw BadUsage("give --runs A,B for a metrics CSV or --json --run ID");
    const std::vector<int64_t> ids = parser.isSet("json")
                                         ? std::vector<int64_t>{parseRunId(parser.value("run"), "run")}
                                         : parseRunIds(parser.value("runs"), "runs");
    const auto paths = app::resolveAppPaths(parser.value("db"), {}, /*createFolders=*/false);
    RunStore store = RunStore::open(paths.dbPath.toStdString(), /*readOnly=*/true);
    writeOutput(parser.value("out"),
                parser.isSet("json") ? runJson(store, ids.front()) : metricsCsv(store, ids));
    return Ok;
}

int runExportWeights(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Writes a run's weights as a PyTorch state dict plus a JSON config sidecar.");
    parser.addHelpOption();
    parser.addOptions({{"db", "Run store (SQLite) path.", "file"},
                       {"run", "Run id.", "id"},
                       {"step", "Checkpoint step (default: the latest).", "n"},
                       {"out", "Output .pt file.", "file"}});
    if (!parseOrExplain(parser, args)) return Ok;
    if (!parser.isSet("run") || !parser.isSet("out"))
        throw BadUsage("export-weights needs --run ID and --out F.pt");
    const int64_t runId = parseRunId(parser.value("run"), "run");
    const auto paths = app::resolveAppPaths(parser.value("db"), {}, /*createFolders=*/false);
    RunStore store = RunStore::open(paths.dbPath.toStdString(), /*readOnly=*/true);
    const RunRecord run = store.run(runId);  // "there is no run N" rather than "run N has no checkpoints"
    const auto checkpoints = store.checkpoints(runId);
    if (checkpoints.empty())
        throw Error("run " + std::to_string(runId) + " (" + statusName(run.status) + ") has no checkpoints");
    std::string path = checkpoints.back().path;
    if (parser.isSet("step")) {
        path.clear();
        const int64_t step = parseInt(parser, "step", 0);
        for (const auto& c : checkpoints)
            if (c.step == step) path = c.path;
        if (path.empty())
            throw Error("run " + std::to_string(runId) + " has no checkpoint at step " +
                        std::to_string(step));
    }
    Decoder model = loadModel(path);
    exportWeights(*model, parser.value("out").toStdString());
    std::printf("wrote %s and %s.json (from %s)\n", parser.value("out").toUtf8().constData(),
                parser.value("out").toUtf8().constData(), path.c_str());
    return Ok;
}

}  // namespace needlescope::cli
