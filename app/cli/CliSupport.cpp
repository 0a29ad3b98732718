#include "app/cli/CliSupport.h"

#include <QTextStream>

#include <algorithm>

#include <c10/util/Exception.h>

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
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < minimum)
        throw BadUsage(QString("--%1 expects an integer >= %2, got '%3'")
                             .arg(name).arg(minimum).arg(parser.value(name)).toStdString());
    return value;
}

std::vector<int64_t> parseIntList(const QCommandLineParser& parser, const QString& name, int minimum) {
    std::vector<int64_t> values;
    for (const QString& part : parser.value(name).split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 v = part.trimmed().toLongLong(&ok);
        if (!ok || v < minimum)
            throw BadUsage(QString("--%1 expects comma-separated integers >= %2, got '%3'")
                               .arg(name).arg(minimum).arg(part).toStdString());
        if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
    if (values.empty()) throw BadUsage(QString("--%1 needs at least one value").arg(name).toStdString());
    return values;
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
    if (kinds.empty()) throw BadUsage("--models needs at least one of standard, diff");
    return kinds;
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
        err << "needlescope-cli: LibTorch error: " << QString::fromStdString(e.what_without_backtrace()) << "\n";
        return RuntimeError;
    } catch (const std::exception& e) {
        err << "needlescope-cli: " << e.what() << "\n";
        return RuntimeError;
    }
}

}  // namespace needlescope::cli
