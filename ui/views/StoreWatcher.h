#pragma once
// Watches the run store's files (the database, its -wal file and their folder) and says when any of them
// changes, e.g. while another thread or process trains.
#include <QObject>
#include <QString>

QT_BEGIN_NAMESPACE
class QFileSystemWatcher;
QT_END_NAMESPACE

namespace needlescope {

class StoreWatcher : public QObject {
    Q_OBJECT
  public:
    explicit StoreWatcher(QObject* parent = nullptr);
    // Starts (or extends) watching `dbPath`; files that do not exist yet are picked up on later calls.
    void watch(const QString& dbPath);

  Q_SIGNALS:
    void touched();

  private:
    QFileSystemWatcher* watcher_ = nullptr;
    QString dbPath_;
};

}  // namespace needlescope
