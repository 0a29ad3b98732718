#include "ui/settings/AppPaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <exception>

#include "core/data/Corpus.h"
#include "core/data/DataLocator.h"
#include "ui/settings/SettingsKeys.h"

namespace needlescope::app {

void setApplicationNames() {
    QCoreApplication::setOrganizationName(QString());
    QCoreApplication::setOrganizationDomain(QString::fromLatin1(kOrganizationDomain));
    QCoreApplication::setApplicationName(QString::fromLatin1(kApplicationName));
}

QString legacyLocation(bool cache) {
    // The old names: organisation = application = "Needlescope", nested by QStandardPaths.
    if (!QCoreApplication::organizationName().isEmpty()) return QString();
    if (QCoreApplication::organizationDomain() != QLatin1String(kOrganizationDomain) ||
        QCoreApplication::applicationName() != QLatin1String(kApplicationName))
        return QString();
    const QString generic = QStandardPaths::writableLocation(cache ? QStandardPaths::GenericCacheLocation
                                                                   : QStandardPaths::GenericDataLocation);
    return QDir(generic).filePath(
        QStringLiteral("%1/%2").arg(QLatin1String(kOrganizationDomain), QLatin1String(kApplicationName)));
}

namespace {

// `name` in the app data folder; the legacy folder's when only that one has it.
QString appDataFile(const QString& name) {
    const QString current =
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(name);
    if (QFileInfo::exists(current)) return current;
    const QString legacy = legacyLocation(false);
    if (!legacy.isEmpty() && QFileInfo::exists(QDir(legacy).filePath(name)))
        return QDir(legacy).filePath(name);
    return current;
}

QString cacheDir() {
    const QString current = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    const QString legacy = legacyLocation(true);
    if (legacy.isEmpty() || !QFileInfo::exists(legacy)) return current;
    // The legacy folder lies inside the current one: the current one is unused while it holds only that.
    const QStringList entries =
        QDir(current).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
    const bool unused = entries.isEmpty() || entries == QStringList{QFileInfo(legacy).fileName()};
    return unused ? legacy : current;
}

}  // namespace

QString defaultDataDir() { return appDataFile(QStringLiteral("data")); }

QString defaultDbPath() { return appDataFile(QStringLiteral("runs.db")); }

AppPaths resolveAppPaths(const QString& dbFlag, const QString& dataFlag, bool createFolders) {
    QSettings settings;
    AppPaths paths;
    paths.dbPath = !dbFlag.isEmpty() ? dbFlag : settings.value(kSettingDbPath, defaultDbPath()).toString();
    paths.dbPath = QFileInfo(paths.dbPath).absoluteFilePath();
    if (createFolders) QDir().mkpath(QFileInfo(paths.dbPath).absolutePath());
    paths.checkpointDir = QDir(QFileInfo(paths.dbPath).absolutePath()).filePath("checkpoints");
    paths.cacheDir = cacheDir();
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
