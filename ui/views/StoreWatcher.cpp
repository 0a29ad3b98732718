#include "ui/views/StoreWatcher.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QStringList>

namespace needlescope {

StoreWatcher::StoreWatcher(QObject* parent) : QObject(parent), watcher_(new QFileSystemWatcher(this)) {
    auto changed = [this] {
        watch(dbPath_);  // the -wal file comes and goes
        Q_EMIT touched();
    };
    connect(watcher_, &QFileSystemWatcher::fileChanged, this, changed);
    connect(watcher_, &QFileSystemWatcher::directoryChanged, this, changed);
}

void StoreWatcher::watch(const QString& dbPath) {
    dbPath_ = dbPath;
    const QString folder = QFileInfo(dbPath).absolutePath();
    const QStringList wanted{dbPath, dbPath + QStringLiteral("-wal")};
    QStringList add;
    for (const QString& f : wanted)
        if (QFileInfo::exists(f) && !watcher_->files().contains(f)) add << f;
    if (!watcher_->directories().contains(folder) && QFileInfo(folder).isDir()) add << folder;
    if (!add.isEmpty()) watcher_->addPaths(add);
}

}  // namespace needlescope
