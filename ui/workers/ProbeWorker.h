#pragma once
// Runs the needle probe of stored runs after training ("Probe now" in the Runs and Compare views) on a
// background thread: every run at its latest checkpoint, with progress and a Cancel that stops between
// prompts. The rows of all the runs are stored together at the end in one transaction, so a cancelled
// or failed job stores nothing at all.
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>

#include "ui/settings/AppPaths.h"

namespace needlescope {

// The probe grid (a subset of core's ProbeOptions, which this moc'd header must not include).
struct ProbeSettings {
    QVector<double> depths = {0, 25, 50, 75, 100};  // percent
    qint64 samples = 5;                             // per depth
    qint64 contextLength = 0;                       // 0: the longest that fits each model
    quint64 seed = 0;                               // the same prompts for every run
};

struct ProbeJobResult {
    QVector<qint64> runIds;  // the runs asked for, in order
    bool ok = false;         // every run probed and the rows stored
    bool cancelled = false;  // stopped by cancel(): nothing stored
    QString error;           // why it failed (empty when ok or cancelled)
    qint64 storedRows = 0;
    QVector<qint64> steps;  // the checkpoint step probed, per run (when ok)
    QStringList warnings;
};

class ProbeWorker : public QObject {
    Q_OBJECT
  public:
    explicit ProbeWorker(QObject* parent = nullptr);
    ~ProbeWorker() override;  // cancels a job in progress and waits for it to end

    // Probes `runIds` of the store in `paths` (the data folder: the one each run recorded, else
    // paths.locateData()). False (and nothing started) while a job is running or without runs.
    bool start(const needlescope::app::AppPaths& paths, const QVector<qint64>& runIds,
               const ProbeSettings& settings = ProbeSettings());
    void cancel();  // the job stops before its next prompt and stores nothing
    bool isBusy() const { return busy_; }

  Q_SIGNALS:
    void busyChanged(bool busy);
    // Placements done out of `total` over all the runs (in the thread that owns the worker).
    void progress(qint64 done, qint64 total);
    void finished(const needlescope::ProbeJobResult& result);

  private:
    struct Shared;
    void deliver(const ProbeJobResult& result);

    std::shared_ptr<Shared> shared_;
    bool busy_ = false;
};

}  // namespace needlescope

Q_DECLARE_METATYPE(needlescope::ProbeJobResult)
