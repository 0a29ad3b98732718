#pragma once
// Small helpers shared by the CLI sub-commands: option parsing with clear usage errors, error guard.
#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <functional>
#include <stdexcept>
#include <vector>

#include "core/model/ModelConfig.h"

namespace needlescope::cli {

// Thrown for bad command-line input; `guarded` turns it into exit code 2.
class BadUsage : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses; on --help prints help and returns false, on bad options prints the error and returns false.
bool parseOrExplain(QCommandLineParser& parser, const QStringList& args);

int parseInt(const QCommandLineParser& parser, const QString& name, int minimum);
// A comma-separated list of integers >= minimum, duplicates dropped, in the order given.
std::vector<int64_t> parseIntList(const QCommandLineParser& parser, const QString& name, int minimum);
std::vector<ModelKind> parseModelKinds(const QString& list);

// Runs a command body, mapping BadUsage → 2 and needlescope::Error / std::exception → 1 with a message.
int guarded(const std::function<int()>& body);

}  // namespace needlescope::cli
