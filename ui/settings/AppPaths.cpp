#include "ui/settings/AppPaths.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <exception>

#include "core/data/Corpus.h"
#include "core/data/DataLocator.h"
#include "ui/settings/SettingsKeys.h"

namespace needlescope::app {

QString defaultDataDir() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("data");
}

AppPaths resolveAppPaths(const QString& dbFlag, const QString& dataFlag, bool createFolders) {
    QSettings settings;
    const QString appData = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    AppPaths paths;
    paths.dbPath = !dbFlag.isEmpty()
                       ? dbFlag
                       : settings.value(kSettingDbPath, QDir(appData).filePath("runs.db")).toString();
    paths.dbPath = QFileInfo(paths.dbPath).absoluteFilePath();
    if (createFolders) QDir().mkpath(QFileInfo(paths.dbPath).absolutePath());
    paths.checkpointDir = QDir(QFileInfo(paths.dbPath).absolutePath()).filePath("checkpoints");
    paths.cacheDir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    paths.dataFlag = dataFlag;
    return paths;
}

DataCheck checkTrainingData(const QString& path) {
    try {
        const CorpusInfo info = detectCorpus(path.toStdString());
        requireSplits(info, {Split::Train, Split::Valid});  // training reads both
        return DataCheck{true, QString::fromStdString(info.describe())};
    } catch (const std::exception& e) {
        return DataCheck{false, QString::fromStdString(e.what())};
    }
}

QString AppPaths::locateData() const {
    const QString setting = QSettings().value(kSettingDataDir).toString();
    const auto search = dataSearchWithEnvironment(dataFlag.toStdString(), setting.toStdString(),
                                                  defaultDataDir().toStdString());
    return QString::fromStdString(needlescope::locateData(search));
}

}  // namespace needlescope::app
