// `needlescope-cli probe`: the needle probe of one stored run at one checkpoint (DESIGN §4).
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTextStream>
#include <algorithm>
#include <cstdio>

#include "app/cli/CliSupport.h"
#include "app/cli/Commands.h"
#include "core/probe/Haystack.h"
#include "core/probe/Probe.h"
#include "core/probe/ProbeGrid.h"
#include "core/probe/ProbeReport.h"
#include "core/probe/StoredRunProbe.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "ui/settings/AppPaths.h"

namespace needlescope::cli {
namespace {

std::vector<double> parseDepths(const QString& list) {
    std::vector<double> depths;
    for (const QString& part : list.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const double d = part.trimmed().toDouble(&ok);
        if (!ok)
            throw BadUsage("--depths expects comma-separated percentages, got '" + part.toStdString() + "'");
        try {
            requireDepth(d);
        } catch (const Error& e) {
            throw BadUsage(e.what());
        }
        depths.push_back(d);
    }
    if (depths.empty()) throw BadUsage("--depths needs at least one depth");
    requireDistinct(depths, "depths");  // rows of one depth share a key: a repeat would overwrite them
    return depths;
}

std::string escaped(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
}

void showPrompt(const Tokenizer& tokenizer, const Prompt& p) {
    auto text = [&](TokenSpan span) {
        return tokenizer.decode(
            std::vector<int32_t>(p.tokens.begin() + span.begin, p.tokens.begin() + span.end));
    };
    std::printf("sample %lld at depth %g%% (placed at %.1f%% of %lld haystack tokens), %zu tokens\n",
                (long long)p.sample, p.depth, p.placedDepth, (long long)p.haystackTokens, p.tokens.size());
    std::printf("  needle   [%lld, %lld) \"%s\"\n", (long long)p.needle.begin, (long long)p.needle.end,
                escaped(text(p.needle)).c_str());
    std::printf("  answer   [%lld, %lld) \"%s\"\n", (long long)p.answer.begin, (long long)p.answer.end,
                escaped(text(p.answer)).c_str());
    std::printf("  question [%lld, %lld) \"%s\"\n", (long long)p.question.begin, (long long)p.question.end,
                escaped(text(p.question)).c_str());
    for (const auto& d : p.distractors)
        std::printf("  distractor [%lld, %lld) \"%s\"\n", (long long)d.begin, (long long)d.end,
                    escaped(text(d)).c_str());
    std::printf("  prompt: \"%s\"\n", escaped(tokenizer.decode(p.tokens)).c_str());
}

}  // namespace

int runProbe(const QStringList& args) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Needle probe of a stored run: answer and noise attention per depth (the paper's Table 3) and "
        "retrieval "
        "accuracy. Results are stored in the run store.");
    parser.addHelpOption();
    parser.addPositionalArgument("probe", "command name");
    parser.addOptions({
        {"run", "Run id to probe.", "id"},
        {"step", "Checkpoint step (default: the latest).", "step"},
        {"depths", "Comma-separated needle depths in percent.", "list", "0,25,50,75,100"},
        {"ctx",
         "Prompt length(s) in tokens, e.g. 128,256,512 for a depth x context grid (default: the model's "
         "context minus the answer's room).",
         "list"},
        {"samples", "Samples per depth.", "n", "5"},
        {"needles",
         "Needle pairs in total (one queried, the rest distractors); a list such as 1,2,4,6 gives the "
         "multi-needle table.",
         "list", "1"},
        {"query", "Query row: last (the last prompt token) or question (mean over the question tokens).",
         "last|question", "last"},
        {"answer", "Answer bucket: number (its tokens) or needle (the whole needle sentence).",
         "number|needle", "number"},
        {"seed", "Sample seed: the same seed gives the same prompts for every model.", "k", "0"},
        {"threads", "Intra-op threads (0 = all cores).", "n", "0"},
        {"device", "cpu, cuda, cuda:N or auto: where the model runs.", "device", "cpu"},
        {"show-prompt", "Print the first prompt of each depth with its spans."},
        {"db", "Run store (SQLite) path.", "file"},
        {"data", "Corpus folder (default: the one the run was trained on).", "dir"},
    });
    if (!parseOrExplain(parser, args)) return Ok;

    if (!parser.isSet("run")) throw BadUsage("probe needs --run ID (see `needlescope-cli runs list`)");
    const int64_t runId = parseRunId(parser.value("run"), "run");
    ProbeOptions options;
    options.depths = parseDepths(parser.value("depths"));
    const std::vector<int64_t> contextList =
        parser.isSet("ctx") ? parseIntList(parser, "ctx", 2) : std::vector<int64_t>{};
    const std::vector<int64_t> needleList = parseIntList(parser, "needles", 1);
    options.samples = parseInt(parser, "samples", 1);
    try {
        options.query = queryModeFromString(parser.value("query").toStdString());
        options.answerSpan = answerSpanFromString(parser.value("answer").toStdString());
    } catch (const Error& e) {
        throw BadUsage(e.what());
    }
    bool seedOk = false;
    options.seed = parser.value("seed").trimmed().toULongLong(&seedOk);
    if (!seedOk || parser.value("seed").trimmed().startsWith('-'))
        throw BadUsage("--seed expects a non-negative whole number, got '" +
                       parser.value("seed").toStdString() + "'");
    std::optional<int64_t> step;
    if (parser.isSet("step")) step = parseInt(parser, "step", 0);
    configureThreads(parseInt(parser, "threads", 0));
    setInferenceDevice(resolveDevice(parser.value("device").toStdString()));

    const auto paths = app::resolveAppPaths(parser.value("db"), parser.value("data"));
    RunStore store = RunStore::open(paths.dbPath.toStdString());
    const bool explicitData = parser.isSet("data");
    StoredRunProbe prober(store, runId, step, explicitData ? paths.locateData().toStdString() : std::string(),
                          [&paths] { return paths.locateData().toStdString(); });
    const RunRecord& record = prober.record();
    const CheckpointRecord& checkpoint = prober.checkpoint();
    const std::string& dataDir = prober.dataDir();
    const Tokenizer& tokenizer = prober.tokenizer();
    const Haystack& haystack = prober.haystack();
    const NeedleProbe& probe = prober.probe();
    DecoderImpl& model = prober.model();
    QTextStream out(stdout);
    out << "haystack: validation split of " << QString::fromStdString(dataDir) << " (" << haystack.size()
        << " tokens)\n";
    const auto lambdas = model.lambdas();
    if (!lambdas.empty()) {
        out << "lambda per layer:";
        for (double l : lambdas) out << " " << QString::number(l, 'f', 3);
        out << "\n";
    }
    // The grid: every (needle count, context length) asked for; a single one prints the Table-3 form.
    std::vector<int64_t> contexts;
    for (int64_t c : contextList) contexts.push_back(c);
    if (contexts.empty()) contexts.push_back(0);  // 0 = the longest that fits the model
    int64_t storedRows = 0, lastCtx = 0;
    for (int64_t needles : needleList)
        for (int64_t requested : contexts) {
            options.needles = int(needles);
            options.contextLength = requested;
            const int64_t ctx = probe.resolveContext(options, model.config());
            lastCtx = ctx;
            out << "probing run " << runId << " (" << QString::fromStdString(record.kind) << ") at step "
                << checkpoint.step << ": context " << ctx << " tokens, " << options.samples << " sample(s) x "
                << options.depths.size() << " depth(s), " << options.needles << " needle(s), query "
                << QString::fromStdString(toString(options.query)) << ", seed " << options.seed << "\n";
            out.flush();
            if (parser.isSet("show-prompt")) {
                const auto prompts = probe.prompts(options, ctx);
                for (size_t i = 0; i < prompts.size(); i += size_t(options.samples))
                    showPrompt(tokenizer, prompts[i]);
            }
            const ProbeResult result = prober.runAndStore(store, options);
            storedRows += int64_t(result.rows.size());
            for (const std::string& warning : result.warnings)
                out << "warning: " << QString::fromStdString(warning) << "\n";
        }

    // The tables come from the rows as stored, so they match what `report` reads later.
    std::vector<ProbeRow> stored;
    for (const ProbeRow& r : store.probeRows(runId, checkpoint.step))
        if (r.query == toString(options.query) && r.answerSpan == toString(options.answerSpan) &&
            r.probeSeed == int64_t(options.seed) &&
            std::count(needleList.begin(), needleList.end(), r.needles) &&
            (contextList.empty() ? r.contextLength == lastCtx
                                 : std::count(contextList.begin(), contextList.end(), r.contextLength) > 0))
            stored.push_back(r);
    out << "stored " << storedRows << " probe rows in " << paths.dbPath << "\n\n";
    if (needleList.size() == 1 && contexts.size() == 1) {
        ProbeSelection selection;
        selection.step = checkpoint.step;
        selection.contextLength = lastCtx;
        selection.needles = needleList.front();
        selection.depths = options.depths;
        selection.query = toString(options.query);
        selection.answerSpan = toString(options.answerSpan);
        selection.probeSeed = int64_t(options.seed);
        ProbeSummary summary = selectAndSummarize(stored, selection);
        summary.label = record.kind;
        summary.kind = record.kind;
        out << QString::fromStdString(formatProbeTable({summary}));
    } else {
        std::vector<ProbeRow> asked;
        for (const ProbeRow& r : stored)
            if (std::find(options.depths.begin(), options.depths.end(), r.depth) != options.depths.end() &&
                r.sample < options.samples)
                asked.push_back(r);
        out << QString::fromStdString(
            formatGrid(probeGrid(asked), record.kind + " run " + std::to_string(runId)));
    }
    return Ok;
}

}  // namespace needlescope::cli
