#pragma once
// Small helpers shared by the CLI sub-commands: option parsing with clear usage errors, error guard.
#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <functional>
#include <stdexcept>
#include <vector>

#include "core/model/ModelConfig.h"
#include "core/train/TrainConfig.h"

namespace needlescope::cli {

// Thrown for bad command-line input; `guarded` turns it into exit code 2.
class BadUsage : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Parses; on --help prints help and returns false, on bad options prints the error and returns false.
bool parseOrExplain(QCommandLineParser& parser, const QStringList& args);

// The integer value of --name, at least `minimum` (fractions such as 1.5 and other text are usage errors).
int parseInt(const QCommandLineParser& parser, const QString& name, int minimum);
// The number value of --name within [minimum, maximum].
double parseDouble(const QCommandLineParser& parser, const QString& name, double minimum, double maximum);
// A run id (a positive integer) given as `text` to --name (or the positional argument `name`).
int64_t parseRunId(const QString& text, const QString& name);
// A comma-separated list of integers >= minimum, in the order given; a value given twice is a usage error.
std::vector<int64_t> parseIntList(const QCommandLineParser& parser, const QString& name, int minimum);
// A comma-separated list of run ids, each at most once.
std::vector<int64_t> parseRunIds(const QString& list, const QString& name);

// Throws BadUsage when a list flag names a value twice (its results would overwrite each other).
template <typename T>
void requireDistinct(const std::vector<T>& values, const QString& name) {
    for (size_t i = 0; i < values.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (values[i] == values[j])
                throw BadUsage(QString("--%1 lists %2 more than once; give each value once")
                                   .arg(name)
                                   .arg(double(values[i]))
                                   .toStdString());
}
std::vector<ModelKind> parseModelKinds(const QString& list);
// The config of --config FILE, else of --preset NAME, with --steps, --lr-schedule and --seed applied; a bad
// file, key, step count, schedule or seed is a usage error.
TrainConfig loadTrainConfig(const QCommandLineParser& parser);
// --steps, --lr-schedule and --seed: what `train` and `study` may override in a preset.
QList<QCommandLineOption> presetOverrideOptions();

// Runs a command body, mapping BadUsage → 2 and needlescope::Error / std::exception → 1 with a message.
int guarded(const std::function<int()>& body);

}  // namespace needlescope::cli
