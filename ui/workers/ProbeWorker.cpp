#include "ui/workers/ProbeWorker.h"

#include <atomic>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include "core/probe/Probe.h"
#include "core/probe/StoredRunProbe.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"

namespace needlescope {
namespace {

struct Cancelled {};  // thrown from the progress callback to leave the probe between prompts

ProbeOptions optionsFrom(const ProbeSettings& s) {
    ProbeOptions options;
    options.depths.assign(s.depths.begin(), s.depths.end());
    options.samples = s.samples;
    options.contextLength = s.contextLength;
    options.seed = s.seed;
    return options;
}

// Probes every run, then stores all their rows at once; `cancel` is polled before every prompt.
ProbeJobResult probeRuns(const app::AppPaths& paths, const QVector<qint64>& runIds,
                         const ProbeSettings& settings, const std::atomic<bool>& cancel,
                         const std::function<void(qint64, qint64)>& report) {
    ProbeJobResult result;
    result.runIds = runIds;
    const ProbeOptions options = optionsFrom(settings);
    const qint64 perRun = qint64(options.depths.size()) * options.samples;
    const qint64 total = perRun * runIds.size();
    try {
        if (options.depths.empty() || options.samples < 1) throw Error("the probe needs depths and samples");
        RunStore store = RunStore::open(paths.dbPath.toStdString());
        std::vector<ProbeRow> rows;
        qint64 before = 0;
        report(0, total);
        for (qint64 runId : runIds) {
            if (cancel) throw Cancelled{};
            StoredRunProbe prober(store, runId, std::nullopt, {},
                                  [&paths] { return paths.locateData().toStdString(); });
            const ProbeResult probed = prober.probe().run(
                prober.model(), options, runId, prober.checkpoint().step, [&](int64_t done, int64_t) {
                    if (cancel) throw Cancelled{};
                    report(before + done, total);
                });
            before += perRun;
            rows.insert(rows.end(), probed.rows.begin(), probed.rows.end());
            result.steps.push_back(prober.checkpoint().step);
            for (const std::string& w : probed.warnings)
                result.warnings << QStringLiteral("run %1: %2").arg(runId).arg(QString::fromStdString(w));
        }
        if (cancel) throw Cancelled{};
        store.addProbeRows(rows);  // one transaction: all the runs or none
        result.storedRows = qint64(rows.size());
        result.ok = true;
    } catch (const Cancelled&) {
        result.cancelled = true;
        result.steps.clear();
    } catch (const std::exception& e) {
        result.error = QString::fromUtf8(e.what());
        result.steps.clear();
    } catch (...) {
        result.error = QStringLiteral("unknown error while probing");
        result.steps.clear();
    }
    return result;
}

}  // namespace

struct ProbeWorker::Shared {
    std::atomic<bool> cancel{false};
    std::thread thread;
};

ProbeWorker::ProbeWorker(QObject* parent) : QObject(parent), shared_(std::make_shared<Shared>()) {
    qRegisterMetaType<needlescope::ProbeJobResult>("needlescope::ProbeJobResult");
}

ProbeWorker::~ProbeWorker() {
    shared_->cancel = true;
    if (shared_->thread.joinable()) shared_->thread.join();
}

bool ProbeWorker::start(const app::AppPaths& paths, const QVector<qint64>& runIds,
                        const ProbeSettings& settings) {
    if (busy_ || runIds.isEmpty()) return false;
    if (shared_->thread.joinable()) shared_->thread.join();  // the last job ended: its thread is done
    shared_->cancel = false;
    busy_ = true;
    Q_EMIT busyChanged(true);
    Shared* shared = shared_.get();
    shared->thread = std::thread([this, shared, paths, runIds, settings] {
        const ProbeJobResult result =
            probeRuns(paths, runIds, settings, shared->cancel, [this](qint64 done, qint64 total) {
                QMetaObject::invokeMethod(
                    this, [this, done, total] { Q_EMIT progress(done, total); }, Qt::QueuedConnection);
            });
        QMetaObject::invokeMethod(
            this, [this, result] { deliver(result); }, Qt::QueuedConnection);
    });
    return true;
}

void ProbeWorker::cancel() { shared_->cancel = true; }

void ProbeWorker::deliver(const ProbeJobResult& result) {
    busy_ = false;
    Q_EMIT finished(result);
    Q_EMIT busyChanged(false);
}

}  // namespace needlescope
