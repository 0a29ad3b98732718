#pragma once
// The one set-up every GUI test shares: private XDG folders and settings (the tests never touch the
// user's files), a small corpus, scratch app paths, and copies of the store that `gui_fixture_store`
// trains once per CTest run (CTest fixture `gui_store`, see tests/gui/CMakeLists.txt).
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QString>
#include <QTemporaryDir>
#include <string>
#include <vector>

#include "core/store/RunStore.h"
#include "core/store/Sqlite.h"
#include "tests/TestSupport.h"
#include "ui/settings/AppPaths.h"

namespace testsupport {

// Where the fixture store lives and what is in it (also used by the fixture producer).
inline QString guiFixtureDir() { return QString::fromUtf8(NEEDLESCOPE_GUI_FIXTURE_DIR); }
inline QString guiFixtureReadyFile() { return QDir(guiFixtureDir()).filePath("ready"); }

// Copies a folder tree (files and sub-folders); false on the first failure.
inline bool copyTree(const QString& from, const QString& to) {
    const QDir source(from);
    if (!source.exists() || !QDir().mkpath(to)) return false;
    QDirIterator it(from, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = QDir(to).filePath(source.relativeFilePath(path));
        if (it.fileInfo().isDir() ? !QDir().mkpath(target) : !QFile::copy(path, target)) return false;
    }
    return true;
}

class GuiSandbox {
  public:
    // Points XDG config/data/cache at the sandbox, names the app `appName` under a test organisation and
    // writes the small corpus. Returns an empty string or what went wrong.
    QString init(const QString& appName) {
        if (!tmp_.isValid()) return QStringLiteral("cannot create a temporary folder");
        qputenv("XDG_CONFIG_HOME", filePath("config").toLocal8Bit());
        qputenv("XDG_DATA_HOME", filePath("data-home").toLocal8Bit());
        qputenv("XDG_CACHE_HOME", filePath("cache-home").toLocal8Bit());
        qunsetenv("NEEDLESCOPE_DATA");
        QCoreApplication::setOrganizationName(QStringLiteral("NeedlescopeTests"));
        QCoreApplication::setApplicationName(appName);
        if (!makeSmallCorpus(corpus()))
            return QStringLiteral("WikiText-2 test data missing (see tests/TestSupport.h)");
        return {};
    }

    QString root() const { return tmp_.path(); }
    QString filePath(const QString& name) const { return QDir(tmp_.path()).filePath(name); }
    QString corpus() const { return filePath(QStringLiteral("corpus")); }

    // Fresh, empty store, checkpoint and cache folders named `name` (the cache is shared); the data
    // folder is the small corpus unless `dataFlag` says otherwise (empty: none given).
    needlescope::app::AppPaths emptyStore(const QString& name) const { return emptyStore(name, corpus()); }
    needlescope::app::AppPaths emptyStore(const QString& name, const QString& dataFlag) const {
        needlescope::app::AppPaths paths;
        paths.dbPath = QDir(filePath(name)).filePath(QStringLiteral("runs.db"));
        paths.checkpointDir = QDir(filePath(name)).filePath(QStringLiteral("checkpoints"));
        paths.cacheDir = filePath(QStringLiteral("cache"));
        paths.dataFlag = dataFlag;
        QDir().mkpath(filePath(name));
        return paths;
    }

    // init() and a private copy of the trained fixture store in `*trained` (see trainedStore()), as the view
    // tests start. Returns an empty string or what went wrong.
    QString initWithTrainedStore(const QString& appName, needlescope::app::AppPaths* trained) {
        QString error = init(appName);
        if (error.isEmpty()) *trained = trainedStore(QStringLiteral("trained"), &error);
        return error;
    }

    // initWithTrainedStore(), plus the small corpus and an empty store named "empty": what the view tests
    // that use both an empty and a trained store start from.
    QString initWithTrainedAndEmptyStores(const QString& appName, QString* corpus,
                                          needlescope::app::AppPaths* empty,
                                          needlescope::app::AppPaths* trained) {
        QString error = initWithTrainedStore(appName, trained);
        if (!error.isEmpty()) return error;
        *corpus = this->corpus();
        *empty = emptyStore(QStringLiteral("empty"));
        return QString();
    }

    // A private copy (named `name`) of the trained fixture store: one tiny paired run (standard + DIFF,
    // context 128, 30 steps, checkpoints at 10/20/30), with every stored path moved into the copy so a
    // test may delete or resume runs freely. Empty dbPath and `error` set when the fixture is missing.
    needlescope::app::AppPaths trainedStore(const QString& name, QString* error) const {
        needlescope::app::AppPaths paths;
        QFile ready(guiFixtureReadyFile());
        if (!ready.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral(
                         "no trained GUI fixture at %1: run the CTest fixture gui_store "
                         "(ctest runs it first for every test that requires it)")
                         .arg(guiFixtureDir());
            return paths;
        }
        const QString original = QString::fromUtf8(ready.readAll()).trimmed();
        const QString copy = filePath(name);
        if (!copyTree(guiFixtureDir(), copy)) {
            *error = QStringLiteral("cannot copy the GUI fixture to %1").arg(copy);
            return paths;
        }
        // Checkpoint, tokenizer and corpus paths are stored absolute: point them at the copy.
        const auto db = needlescope::sqlite::Database::open(QDir(copy).filePath("runs.db").toStdString(),
                                                            0x00000002 /* SQLITE_OPEN_READWRITE */);
        const std::string from = quoted(original), to = quoted(copy);
        db.exec("UPDATE checkpoints SET path = replace(path, " + from + ", " + to + ");" +
                "UPDATE runs SET config = replace(config, " + from + ", " + to + ");");
        paths.dbPath = QDir(copy).filePath(QStringLiteral("runs.db"));
        paths.checkpointDir = QDir(copy).filePath(QStringLiteral("checkpoints"));
        paths.cacheDir = QDir(copy).filePath(QStringLiteral("cache"));
        paths.dataFlag = QDir(copy).filePath(QStringLiteral("corpus"));
        return paths;
    }

    // The fixture's run ids in creation order: {standard, diff}.
    static std::vector<int64_t> trainedRunIds(const needlescope::app::AppPaths& paths) {
        std::vector<int64_t> ids;
        for (const auto& run : needlescope::RunStore::open(paths.dbPath.toStdString(), true).runs())
            ids.insert(ids.begin(), run.id);  // runs() lists newest first
        return ids;
    }

  private:
    static std::string quoted(const QString& text) {
        QString escaped = text;
        escaped.replace(QLatin1Char('\''), QLatin1String("''"));
        return "'" + escaped.toStdString() + "'";
    }
    QTemporaryDir tmp_;
};

}  // namespace testsupport
