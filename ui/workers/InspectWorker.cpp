#include "ui/workers/InspectWorker.h"

#include <QDir>
#include <QFileInfo>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "core/probe/RunCatalog.h"
#include "core/store/RunStore.h"
#include "core/train/SeedStudy.h"
#include "core/util/Error.h"
#include "ui/settings/AppPaths.h"

namespace needlescope {

QString RunSource::label() const {
    if (kind.isEmpty() || name.contains(kind)) return QStringLiteral("#%1 %2").arg(runId).arg(name);
    return QStringLiteral("#%1 %2 (%3)").arg(runId).arg(name, kind);
}

RunSource readRunSource(const RunStore& store, qint64 runId, const app::AppPaths& paths) {
    const RunSummary run = RunCatalog(store).run(runId, /*withResults=*/false);
    if (!run.config)
        throw Error("run " + std::to_string(runId) + " has no readable config" +
                    (run.configError.empty() ? std::string() : ": " + run.configError));
    RunSource source;
    source.runId = runId;
    source.name = QString::fromStdString(run.name);
    source.kind = QString::fromStdString(run.kind.empty() ? kindName(run.config->model.kind) : run.kind);
    source.group = QString::fromStdString(run.group);
    for (const std::string& tag : run.tags)
        if (tag.rfind(studyTag(""), 0) == 0)
            source.study = QString::fromStdString(tag.substr(studyTag("").size()));
    source.tokenizerModel = QString::fromStdString(run.config->tokenizerModel);
    source.maxContext = int(run.config->model.maxContext);
    source.dataRoot = QString::fromStdString(run.config->dataRoot);
    if (source.dataRoot.isEmpty() || !QFileInfo::exists(source.dataRoot)) {
        try {
            source.dataRoot = paths.locateData();
        } catch (const std::exception&) {
            // Keep the recorded folder: the placement reports it as missing.
        }
    }
    for (const CheckpointRecord& c : store.checkpoints(runId)) {
        source.steps.push_back(c.step);
        source.checkpointPaths.push_back(QString::fromStdString(c.path));
    }
    return source;
}

InspectionRequest requestFor(const RunSource& source, int checkpointIndex) {
    InspectionRequest request;
    if (checkpointIndex >= 0 && checkpointIndex < source.checkpointPaths.size())
        request.checkpointPath = source.checkpointPaths[checkpointIndex].toStdString();
    request.tokenizerModel = source.tokenizerModel.toStdString();
    request.dataRoot = source.dataRoot.toStdString();
    return request;
}

struct InspectWorker::Shared {
    struct Job {
        quint64 id = 0;
        std::vector<InspectionRequest> requests;
    };
    std::mutex mutex;
    std::condition_variable wake;
    std::optional<Job> pending;
    bool stop = false;
    quint64 lastId = 0;
    std::thread thread;
};

InspectWorker::InspectWorker(QObject* parent) : QObject(parent), shared_(std::make_shared<Shared>()) {
    qRegisterMetaType<needlescope::InspectOutcome>("needlescope::InspectOutcome");
    Shared* shared = shared_.get();
    shared->thread = std::thread([shared, this] {
        InspectionSession session;
        for (;;) {
            Shared::Job job;
            {
                std::unique_lock<std::mutex> lock(shared->mutex);
                shared->wake.wait(lock, [shared] { return shared->stop || shared->pending.has_value(); });
                if (shared->stop) return;
                job = std::move(*shared->pending);
                shared->pending.reset();
            }
            auto outcome = std::make_shared<InspectOutcome>();
            outcome->id = job.id;
            const auto start = std::chrono::steady_clock::now();
            for (const InspectionRequest& request : job.requests) {
                InspectEntry entry;
                try {
                    entry.result = std::make_shared<const InspectionResult>(session.inspect(request));
                } catch (const ContextTooShortError& e) {
                    entry.error = QString::fromUtf8(e.what());
                    entry.modelTooShort = true;
                } catch (const std::exception& e) {
                    entry.error = QString::fromUtf8(e.what());
                } catch (...) {
                    entry.error = QStringLiteral("unknown error while computing the placement");
                }
                outcome->entries.push_back(std::move(entry));
                // A newer job makes the rest of this one pointless.
                std::lock_guard<std::mutex> lock(shared->mutex);
                if (shared->stop || shared->pending) break;
            }
            outcome->milliseconds =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            QMetaObject::invokeMethod(
                this, [this, outcome] { deliver(outcome); }, Qt::QueuedConnection);
        }
    });
}

InspectWorker::~InspectWorker() {
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        shared_->stop = true;
        shared_->pending.reset();
    }
    shared_->wake.notify_all();
    if (shared_->thread.joinable()) shared_->thread.join();
}

quint64 InspectWorker::request(const std::vector<InspectionRequest>& requests) {
    quint64 id = 0;
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        id = ++shared_->lastId;
        if (shared_->pending) ++dropped_;  // superseded before it ran
        shared_->pending = Shared::Job{id, requests};
    }
    shared_->wake.notify_one();
    if (!busy_) {
        busy_ = true;
        Q_EMIT busyChanged(true);
    }
    return id;
}

quint64 InspectWorker::latestId() const {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    return shared_->lastId;
}

bool InspectWorker::isBusy() const { return busy_; }
int InspectWorker::droppedCount() const { return dropped_; }
int InspectWorker::completedCount() const { return completed_; }

void InspectWorker::deliver(const std::shared_ptr<InspectOutcome>& outcome) {
    if (outcome->id != latestId()) {  // stale: a newer placement was asked for meanwhile
        ++dropped_;
        return;
    }
    ++completed_;
    if (busy_) {
        busy_ = false;
        Q_EMIT busyChanged(false);
    }
    Q_EMIT finished(*outcome);
}

}  // namespace needlescope
