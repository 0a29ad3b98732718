#pragma once
// Sub-commands of needlescope-cli. Each returns the process exit code: 0 ok, 1 runtime error, 2 usage error,
// 3 training stopped by SIGINT/SIGTERM (checkpointed, resumable with `train --resume`).
#include <QStringList>
#include <memory>

class QCoreApplication;

namespace needlescope::cli {

enum ExitCode { Ok = 0, RuntimeError = 1, UsageError = 2, Interrupted = 3 };

int dispatch(const QStringList& arguments);  // arguments[0] is the program

// `args` starts with the sub-command name (QCommandLineParser treats it as the program name).
int runBench(const QStringList& args);
int runTrain(const QStringList& args);
int runRuns(const QStringList& args);
int runExport(const QStringList& args);
int runExportWeights(const QStringList& args);
int runProbe(const QStringList& args);
int runReport(const QStringList& args);
int runStudy(const QStringList& args);

// The application object for `argv`: a QApplication (offscreen without a display) for `report`, which
// renders its figure with Qt Charts; a QCoreApplication for everything else.
std::unique_ptr<QCoreApplication> makeApplication(int& argc, char** argv);

}  // namespace needlescope::cli
