#pragma once
// Running needlescope-cli (NEEDLESCOPE_CLI_PATH) from a test: a scratch environment whose cache, data and
// config homes lie under the test's own folder, and the exit code with both output streams.
#include <QDir>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace clitest {

struct Result {
    int exitCode = -1;  // -1: timed out, -2: crashed
    QString out, err;
};

inline QProcessEnvironment environment(const QString& root) {
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_CACHE_HOME", QDir(root).filePath("cache"));  // keep the user's cache clean
    env.insert("XDG_DATA_HOME", QDir(root).filePath("data-home"));
    env.insert("XDG_CONFIG_HOME", QDir(root).filePath("config"));
    env.remove("NEEDLESCOPE_DATA");
    return env;
}

inline void start(QProcess& process, const QString& root, const QStringList& args) {
    process.setProcessEnvironment(environment(root));
    process.start(NEEDLESCOPE_CLI_PATH, args);
}

inline Result finish(QProcess& process, int timeoutMs = 240000) {
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(10000);
        return {-1, {}, "timed out"};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

inline Result run(const QString& root, const QStringList& args, int timeoutMs = 240000) {
    QProcess process;
    start(process, root, args);
    return finish(process, timeoutMs);
}

}  // namespace clitest
