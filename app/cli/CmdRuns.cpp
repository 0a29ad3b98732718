// `needlescope-cli runs list|show|tag|note|delete`.
#include <QCommandLineParser>
#include <QDateTime>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "core/probe/RunCatalog.h"
#include "core/store/RunStore.h"
#include "ui/settings/AppPaths.h"

namespace needlescope::cli {
namespace {

QString when(int64_t seconds) {
    return seconds ? QDateTime::fromSecsSinceEpoch(seconds).toString("yyyy-MM-dd HH:mm") : QString("-");
}

double bestValLoss(const RunStore& store, int64_t runId) {
    double best = NAN;
    for (const auto& p : store.metrics(runId, "val_loss"))
        if (std::isnan(best) || p.value < best) best = p.value;
    return best;
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    return out;
}

int64_t runIdArgument(const QStringList& positional, int index) {
    if (positional.size() <= index)
        throw BadUsage("runs " + positional.value(0).toStdString() + " needs a run id");
    bool ok = false;
    const qint64 id = positional.value(index).trimmed().toLongLong(&ok);
    if (!ok || id <= 0)
        throw BadUsage("expected a run id (a positive whole number), got '" +
                       positional.value(index).toStdString() + "'");
    return id;
}

// The stored status, except for a `running` run whose writer is gone: that one is interrupted, whether or
// not a writer has recorded it yet (read-only commands never do).
std::string shownStatus(const RunRecord& r) { return r.writerGone ? "interrupted*" : statusName(r.status); }

void list(const RunStore& store, const QString& filter) {
    RunFilter f;
    f.text = filter.toStdString();
    const auto runs = store.runs(f);
    std::printf("%-5s %-28s %-9s %-12s %7s %9s  %-16s %s\n", "id", "group", "kind", "status", "steps",
                "best val", "created", "tags");
    for (const auto& r : runs) {
        const double best = bestValLoss(store, r.id);
        std::printf("%-5lld %-28s %-9s %-12s %7lld %9s  %-16s %s\n", (long long)r.id, r.group.c_str(),
                    r.kind.c_str(), shownStatus(r).c_str(), (long long)r.lastStep,
                    std::isnan(best) ? "-" : QString::number(best, 'f', 4).toUtf8().constData(),
                    when(r.createdAt).toUtf8().constData(), joined(r.tags).c_str());
    }
    if (runs.empty()) std::printf("(no runs in %s)\n", store.path().c_str());
    if (std::any_of(runs.begin(), runs.end(), [](const RunRecord& r) { return r.writerGone; }))
        std::printf(
            "* interrupted (writer gone): the process training it no longer exists; resume it with "
            "`train --resume ID`\n");
}

void show(const RunStore& store, int64_t id) {
    const RunRecord r = store.run(id);
    const std::string status =
        r.writerGone ? "interrupted (writer gone: " + ownerDescription(r.owner) + ")" : statusName(r.status);
    std::printf(
        "run %lld  %s\n  group   %s\n  kind    %s\n  status  %s\n  created %s\n  finished %s\n  steps   "
        "%lld\n"
        "  tags    %s\n  notes   %s\n",
        (long long)r.id, r.name.c_str(), r.group.c_str(), r.kind.c_str(), status.c_str(),
        when(r.createdAt).toUtf8().constData(), when(r.finishedAt).toUtf8().constData(),
        (long long)r.lastStep, joined(r.tags).c_str(), r.notes.c_str());
    std::printf("  latest metrics:\n");
    for (const auto& m : store.latestMetrics(id))
        std::printf("    %-14s %12.6g  (step %lld)\n", m.name.c_str(), m.value, (long long)m.step);
    std::printf("  checkpoints:\n");
    for (const auto& c : store.checkpoints(id))
        std::printf("    step %-8lld %s\n", (long long)c.step, c.path.c_str());
    std::printf("  config: %s\n", r.configJson.c_str());
}

}  // namespace

int runRuns(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "runs list [--filter TEXT] | show ID | tag ID TAG... | note ID TEXT | delete ID --yes");
    parser.addHelpOption();
    parser.addPositionalArgument("action", "list, show, tag, note or delete");
    parser.addOptions({{"db", "Run store (SQLite) path.", "file"},
                       {"filter", "Only runs whose name, group, kind, tags or notes contain TEXT.", "text"},
                       {"yes", "Confirm deletion (removes metrics, probe results and checkpoint files)."}});
    if (!parseOrExplain(parser, args)) return Ok;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0, "list");
    const auto paths = app::resolveAppPaths(parser.value("db"), {}, /*createFolders=*/false);
    const bool readOnly = action == "list" || action == "show";
    RunStore store = RunStore::open(paths.dbPath.toStdString(), readOnly);

    if (action == "list") {
        list(store, parser.value("filter"));
    } else if (action == "show") {
        show(store, runIdArgument(positional, 1));
    } else if (action == "tag") {
        const int64_t id = runIdArgument(positional, 1);
        std::vector<std::string> tags;
        for (const auto& t : positional.mid(2)) tags.push_back(t.toStdString());
        store.setTags(id, tags);
    } else if (action == "note") {
        store.setNotes(runIdArgument(positional, 1), positional.mid(2).join(' ').toStdString());
    } else if (action == "delete") {
        const int64_t id = runIdArgument(positional, 1);
        if (!parser.isSet("yes")) throw BadUsage("deleting run " + std::to_string(id) + " needs --yes");
        const DeletedRun deleted = deleteRunWithFiles(store, id, paths.checkpointDir.toStdString());
        for (const std::string& problem : deleted.problems) std::fprintf(stderr, "%s\n", problem.c_str());
        std::printf("deleted run %lld\n", (long long)id);
    } else {
        throw BadUsage("unknown runs action '" + action.toStdString() +
                       "'; expected list, show, tag, note or delete");
    }
    return Ok;
}

}  // namespace needlescope::cli
