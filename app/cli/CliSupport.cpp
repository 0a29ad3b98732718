#include "app/cli/CliSupport.h"

#include <c10/util/Exception.h>

#include <QTextStream>
#include <algorithm>
#include <cmath>

#include "app/cli/Commands.h"
#include "core/util/Error.h"

namespace needlescope::cli {

bool parseOrExplain(QCommandLineParser& parser, const QStringList& args) {
    if (!parser.parse(args)) {
        QTextStream(stderr) << "needlescope-cli: " << parser.errorText() << "\n" << parser.helpText();
        throw BadUsage(parser.errorText().toStdString());
    }
    if (parser.isSet("help")) {
        QTextStream(stdout) << parser.helpText();
        return false;
    }
    return true;
}

int parseInt(const QCommandLineParser& parser, const QString& name, int minimum) {
    bool ok = false;
    const int value = parser.value(name).trimmed().toInt(&ok);
    if (!ok || value < minimum)
        throw BadUsage(QString("--%1 expects a whole number >= %2, got '%3'")
                           .arg(name)
                           .arg(minimum)
                           .arg(parser.value(name))
                           .toStdString());
    return value;
}

double parseDouble(const QCommandLineParser& parser, const QString& name, double minimum, double maximum) {
    bool ok = false;
    const double value = parser.value(name).trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < minimum || value > maximum)
        throw BadUsage(QString("--%1 expects a number from %2 to %3, got '%4'")
                           .arg(name)
                           .arg(minimum)
                           .arg(maximum)
                           .arg(parser.value(name))
                           .toStdString());
    return value;
}

int64_t parseRunId(const QString& text, const QString& name) {
    bool ok = false;
    const qint64 id = text.trimmed().toLongLong(&ok);
    if (!ok || id <= 0)
        throw BadUsage(QString("--%1 expects a run id (a positive whole number; see `needlescope-cli runs "
                               "list`), got '%2'")
                           .arg(name, text)
                           .toStdString());
    return id;
}

std::vector<int64_t> parseIntList(const QCommandLineParser& parser, const QString& name, int minimum) {
    std::vector<int64_t> values;
    for (const QString& part : parser.value(name).split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 v = part.trimmed().toLongLong(&ok);
        if (!ok || v < minimum)
            throw BadUsage(QString("--%1 expects comma-separated whole numbers >= %2, got '%3'")
                               .arg(name)
                               .arg(minimum)
                               .arg(part)
                               .toStdString());
        values.push_back(v);
    }
    if (values.empty()) throw BadUsage(QString("--%1 needs at least one value").arg(name).toStdString());
    requireDistinct(values, name);
    return values;
}

std::vector<int64_t> parseRunIds(const QString& list, const QString& name) {
    std::vector<int64_t> ids;
    for (const QString& part : list.split(',', Qt::SkipEmptyParts)) ids.push_back(parseRunId(part, name));
    if (ids.empty()) throw BadUsage(QString("--%1 needs at least one run id").arg(name).toStdString());
    requireDistinct(ids, name);
    return ids;
}

std::vector<ModelKind> parseModelKinds(const QString& list) {
    std::vector<ModelKind> kinds;
    for (const QString& part : list.split(',', Qt::SkipEmptyParts)) {
        try {
            kinds.push_back(modelKindFromString(part.trimmed().toStdString()));
        } catch (const Error& e) {
            throw BadUsage(e.what());
        }
    }
    if (kinds.empty()) throw BadUsage("--models needs at least one of standard, diff, diff2");
    return kinds;
}

QList<QCommandLineOption> presetOverrideOptions() {
    return {
        {"steps", "Total optimisation steps (overrides the preset).", "n"},
        {"lr-schedule",
         "Learning-rate schedule after warm-up: cosine, or wsd (hold, then decay) (overrides the preset).",
         "name"},
        {"seed",
         "Seed of the initial weights and the data order (overrides the preset's model.seed); with --seeds K "
         "the first of K.",
         "n"},
    };
}

TrainConfig loadTrainConfig(const QCommandLineParser& parser) {
    TrainConfig config;
    try {
        config = loadPreset(parser.isSet("config") ? parser.value("config").toStdString()
                                                   : parser.value("preset").toStdString());
    } catch (const Error& e) {
        throw BadUsage(e.what());
    }
    if (parser.isSet("steps")) config.steps = parseInt(parser, "steps", 1);
    if (parser.isSet("lr-schedule")) {
        const std::string schedule = parser.value("lr-schedule").toStdString();
        if (!isLrSchedule(schedule))
            throw BadUsage("--lr-schedule expects " + lrScheduleChoices() + ", got '" + schedule + "'");
        config.optimizer.schedule = schedule;
    }
    if (parser.isSet("seed")) {
        bool ok = false;
        const qulonglong seed = parser.value("seed").trimmed().toULongLong(&ok);
        if (!ok)
            throw BadUsage("--seed expects a whole number >= 0, got '" + parser.value("seed").toStdString() +
                           "'");
        config.model.seed = seed;
    }
    return config;
}

int guarded(const std::function<int()>& body) {
    QTextStream err(stderr);
    try {
        return body();
    } catch (const BadUsage& e) {
        err << "needlescope-cli: " << e.what() << "\n";
        return UsageError;
    } catch (const Error& e) {
        err << "needlescope-cli: " << e.what() << "\n";
        return RuntimeError;
    } catch (const c10::Error& e) {
        err << "needlescope-cli: LibTorch error: " << QString::fromStdString(e.what_without_backtrace())
            << "\n";
        return RuntimeError;
    } catch (const std::exception& e) {
        err << "needlescope-cli: " << e.what() << "\n";
        return RuntimeError;
    }
}

}  // namespace needlescope::cli
