#pragma once
// Computes needle placements (core/probe/Inspection.h) on a background thread for the Inspect and Compare
// views. One job holds one request per model (Compare asks for two at once). A newer job supersedes a
// pending one (it is never computed), and a job that finishes after a newer one was asked for is dropped,
// so only the latest placement ever reaches the view. The thread keeps one InspectionSession, so loaded
// models, tokenizers and haystacks are reused from one slider move to the next.
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>
#include <vector>

#include "core/probe/Inspection.h"

namespace needlescope {

class RunStore;
namespace app {
struct AppPaths;
}

// What a stored run needs for a placement: its checkpoints and the texts it was trained on.
struct RunSource {
    qint64 runId = 0;
    QString name, kind, group;
    QString study;  // the study the run belongs to (its "study:<name>" tag), empty when none
    QString tokenizerModel;
    QString dataRoot;  // the corpus the run recorded; the app's data folder when that one is gone
    int maxContext = 0;
    QVector<qint64> steps;        // checkpoint steps, ascending
    QStringList checkpointPaths;  // one per step
    QString label() const;        // "#12 quick-diff (diff)"
};

// Throws needlescope::Error when the run is missing or its config cannot be read.
RunSource readRunSource(const RunStore& store, qint64 runId, const app::AppPaths& paths);
// The request for checkpoint `index` of the source (texts and placement left at their defaults).
InspectionRequest requestFor(const RunSource& source, int checkpointIndex);

struct InspectEntry {
    std::shared_ptr<const InspectionResult> result;  // null when the request failed
    QString error;
    bool modelTooShort = false;  // the model's context cannot hold any needle task (ContextTooShortError)
};

struct InspectOutcome {
    quint64 id = 0;
    QVector<InspectEntry> entries;  // one per request, in order
    double milliseconds = 0;        // wall time of the whole job on the worker thread
};

class InspectWorker : public QObject {
    Q_OBJECT
  public:
    explicit InspectWorker(QObject* parent = nullptr);
    ~InspectWorker() override;  // waits for the job in progress (if any) to end

    // Queues a job, replacing a pending one; returns its id (ids increase).
    quint64 request(const std::vector<InspectionRequest>& requests);
    quint64 latestId() const;
    bool isBusy() const;         // a job is pending or running
    int droppedCount() const;    // jobs superseded before they ran or whose results came too late
    int completedCount() const;  // results delivered

  Q_SIGNALS:
    void busyChanged(bool busy);
    // Only the latest job's outcome is delivered (in the thread that owns the worker).
    void finished(const needlescope::InspectOutcome& outcome);

  private:
    struct Shared;
    void deliver(const std::shared_ptr<InspectOutcome>& outcome);

    std::shared_ptr<Shared> shared_;
    int dropped_ = 0;
    int completed_ = 0;
    bool busy_ = false;
};

}  // namespace needlescope

Q_DECLARE_METATYPE(needlescope::InspectOutcome)
