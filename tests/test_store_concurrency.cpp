// Run store under concurrent use: a writer and readers on separate connections never see "database is
// locked", and runs whose writing process died are found and marked interrupted, then resumable.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/store/RunOwner.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"

using namespace needlescope;

namespace {

void rawExec(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, message.c_str());
}

std::string status(const std::string& path, int64_t id) {
    return statusName(RunStore::open(path, /*readOnly=*/true).run(id).status);  // read-only: marks nothing
}

char procState(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    const auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() ? '?' : line[close + 2];
}

// Forks a process that opens the store, creates a running run with a few metrics, writes its id to `pipeFd`
// and then, if `waitFd` >= 0, blocks until that pipe is closed; it exits without finishing the run.
// `closeFd` (if >= 0) is the parent's end of the waiting pipe, which the child must not hold.
pid_t spawnOwner(const std::string& path, int pipeFd, int waitFd, int closeFd = -1) {
    const pid_t child = fork();
    if (child != 0) return child;
    if (closeFd >= 0) close(closeFd);
    int64_t id = -1;
    try {
        RunStore store = RunStore::open(path);
        id = store.createRun({"crash", "child run", "standard", "{}"});
        store.appendMetrics(id, {{1, "loss", 4.0}, {2, "loss", 3.5}});
        store.setLastStep(id, 2);
    } catch (...) {
        id = -1;
    }
    if (write(pipeFd, &id, sizeof id) != sizeof id) _exit(2);
    if (waitFd >= 0) {
        char byte;
        while (read(waitFd, &byte, 1) > 0) {
        }
    }
    _exit(0);  // no setStatus, no destructors: as if the trainer was killed
}

int64_t readId(int fd) {
    int64_t id = -1;
    if (read(fd, &id, sizeof id) != sizeof id) return -1;
    return id;
}

}  // namespace

class TestStoreConcurrency : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string path(const char* name) const { return QDir(dir_.path()).filePath(name).toStdString(); }

  private Q_SLOTS:
    // The trainer appends metric batches while the UI reads (reopening now and then) and edits notes;
    // none of them may ever get an error, and the reader must watch the counts grow.
    void readerAndWriterNeverLock() {
        const std::string file = path("concurrent.db");
        const int batches = 1000, perBatch = 20;
        int64_t id = 0;
        {
            RunStore setup = RunStore::open(file);
            id = setup.createRun({"pair", "writer", "standard", "{}"});
        }
        std::atomic<bool> writing{true};
        std::atomic<int> errors{0};
        std::mutex messagesMutex;
        std::vector<std::string> messages;
        auto record = [&](const std::exception& e) {
            ++errors;
            std::lock_guard<std::mutex> lock(messagesMutex);
            messages.push_back(e.what());
        };

        std::thread writer([&] {
            try {
                RunStore store = RunStore::open(file);
                for (int b = 0; b < batches; ++b) {
                    std::vector<MetricPoint> points;
                    for (int i = 0; i < perBatch; ++i) {
                        const int64_t step = int64_t(b) * perBatch + i;
                        points.push_back(
                            {step, i % 2 ? "train/loss" : "lr", 1.0 / double(step + 1), step * 64, 0.1});
                    }
                    store.appendMetrics(id, points);
                    store.setLastStep(id, int64_t(b + 1) * perBatch);
                    if (b % 50 == 0) store.addCheckpoint(id, b, "/c/" + std::to_string(b) + ".pt");
                }
            } catch (const std::exception& e) {
                record(e);
            }
            writing = false;
        });

        std::vector<size_t> counts;
        std::thread reader([&] {
            try {
                std::optional<RunStore> store(RunStore::open(file));
                for (int iteration = 0;; ++iteration) {
                    const bool writerDone = !writing;  // read once more after the writer finished
                    if (iteration % 25 == 24) store.emplace(RunStore::open(file));  // opening is safe too
                    const auto runs = store->runs();
                    if (runs.size() != 1) throw Error("expected one run");
                    const RunRecord run = store->run(id);
                    counts.push_back(store->metrics(id).size());
                    store->metricNames(id);
                    store->metrics(id, "train/loss");
                    store->checkpoints(id);
                    if (run.lastStep < 0) throw Error("bad last step");
                    if (writerDone) break;
                }
            } catch (const std::exception& e) {
                record(e);
            }
        });

        // A second writer (the UI editing notes and tags) competes for the write lock.
        std::thread editor([&] {
            try {
                RunStore store = RunStore::open(file);
                for (int i = 0; writing; ++i) {
                    store.setNotes(id, "note " + std::to_string(i));
                    store.setTags(id, {"tag" + std::to_string(i % 3)});
                }
            } catch (const std::exception& e) {
                record(e);
            }
        });

        writer.join();
        reader.join();
        editor.join();
        for (const auto& m : messages) qWarning("%s", m.c_str());
        QCOMPARE(errors.load(), 0);

        QVERIFY(counts.size() >= 3);
        for (size_t i = 1; i < counts.size(); ++i) QVERIFY(counts[i - 1] <= counts[i]);
        QCOMPARE(counts.back(), size_t(batches * perBatch));
        std::vector<size_t> distinct(counts.begin(), counts.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        qInfo("reader saw %zu reads, %zu distinct metric counts", counts.size(), distinct.size());
        QVERIFY2(distinct.size() >= 3, "the reader should observe the writer's progress");

        RunStore store = RunStore::open(file);
        QCOMPARE(store.metrics(id).size(), size_t(batches * perBatch));
        QCOMPARE(store.run(id).lastStep, int64_t(batches * perBatch));
        QCOMPARE(statusName(store.run(id).status), std::string("running"));  // its owner (us) is alive
    }

    // A process dies without finishing its run: the next open marks the run interrupted, keeps its metrics,
    // and a resuming process takes it over.
    void deadOwnerIsMarkedInterruptedAndResumable() {
        const std::string file = path("crash.db");
        RunStore::open(file);
        int fds[2];
        QVERIFY(pipe(fds) == 0);
        const pid_t child = spawnOwner(file, fds[1], -1);
        close(fds[1]);  // so a child that dies early gives end-of-file, not a hang
        QVERIFY(child > 0);
        const int64_t id = readId(fds[0]);
        int wstatus = 0;
        waitpid(child, &wstatus, 0);
        close(fds[0]);
        QVERIFY(id > 0);
        QCOMPARE(status(file, id), std::string("running"));  // nobody has looked yet

        RunStore store = RunStore::open(file);
        QCOMPARE(statusName(store.run(id).status), std::string("interrupted"));
        QCOMPARE(store.interruptedOnOpen(), std::vector<int64_t>{id});
        QCOMPARE(store.metrics(id, "loss").size(), size_t(2));
        QCOMPARE(store.run(id).lastStep, int64_t(2));
        QCOMPARE(store.run(id).finishedAt, int64_t(0));

        // Resume: this process becomes the owner, so other opens leave the run alone.
        store.setStatus(id, RunStatus::Running);
        RunStore other = RunStore::open(file);
        QVERIFY(other.interruptedOnOpen().empty());
        QCOMPARE(statusName(other.run(id).status), std::string("running"));
        store.appendMetrics(id, {{3, "loss", 3.0}});
        store.setStatus(id, RunStatus::Finished);
        QCOMPARE(statusName(RunStore::open(file).run(id).status), std::string("finished"));
    }

    // SIGKILL in the middle of writing: the file opens cleanly, every batch the writer reported as committed
    // is there (and no partial batch), and the run is interrupted.
    void killedWriterKeepsCommittedMetrics() {
        const std::string file = path("killed.db");
        RunStore::open(file);
        const int perBatch = 50;
        int fds[2];
        QVERIFY(pipe(fds) == 0);
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            close(fds[0]);
            try {
                RunStore store = RunStore::open(file);
                const int64_t id = store.createRun({"kill", "killed", "diff", "{}"});
                if (write(fds[1], &id, sizeof id) != sizeof id) _exit(2);
                for (int64_t b = 0;; ++b) {
                    std::vector<MetricPoint> points;
                    for (int i = 0; i < perBatch; ++i)
                        points.push_back({b * perBatch + i, "loss", 1.0 / double(i + 1)});
                    store.appendMetrics(id, points);
                    if (write(fds[1], &b, sizeof b) != sizeof b) _exit(2);  // batch b is committed
                }
            } catch (...) {
            }
            _exit(3);
        }
        close(fds[1]);
        const int64_t id = readId(fds[0]);
        QVERIFY(id > 0);
        int64_t committed = -1;
        for (int64_t b; committed < 40 && read(fds[0], &b, sizeof b) == sizeof b;) committed = b;
        kill(child, SIGKILL);
        int wstatus = 0;
        waitpid(child, &wstatus, 0);
        QVERIFY(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
        for (int64_t b; read(fds[0], &b, sizeof b) == sizeof b;) committed = b;  // reports still in the pipe
        close(fds[0]);

        RunStore store = RunStore::open(file);
        QCOMPARE(statusName(store.run(id).status), std::string("interrupted"));
        const size_t saved = store.metrics(id).size();
        QVERIFY2(saved >= size_t((committed + 1) * perBatch), std::to_string(saved).c_str());
        QCOMPARE(saved % perBatch, size_t(0));
        store.setStatus(id, RunStatus::Running);  // resumable
        store.appendMetrics(id, {{int64_t(saved), "loss", 0.5}});
        QCOMPARE(store.metrics(id).size(), saved + 1);
    }

    // A live owner in another process keeps its run running; an exited one that was not yet reaped
    // (a zombie) counts as dead.
    void liveOwnerKeepsRunZombieDoesNot() {
        const std::string file = path("live.db");
        RunStore::open(file);
        int idPipe[2], holdPipe[2];
        QVERIFY(pipe(idPipe) == 0 && pipe(holdPipe) == 0);
        const pid_t child = spawnOwner(file, idPipe[1], holdPipe[0], holdPipe[1]);
        close(idPipe[1]);
        close(holdPipe[0]);
        QVERIFY(child > 0);
        const int64_t id = readId(idPipe[0]);
        QVERIFY(id > 0);

        {
            RunStore store = RunStore::open(file);
            QVERIFY(store.interruptedOnOpen().empty());
            QCOMPARE(statusName(store.run(id).status), std::string("running"));
        }

        close(holdPipe[1]);  // let the child exit, but do not reap it yet
        for (int i = 0; i < 500 && procState(child) != 'Z'; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        QCOMPARE(procState(child), 'Z');
        {
            RunStore store = RunStore::open(file);
            QCOMPARE(statusName(store.run(id).status), std::string("interrupted"));
        }
        int wstatus = 0;
        waitpid(child, &wstatus, 0);
        close(idPipe[0]);
    }

    // Owners written directly: a pid that does not exist, this very pid with another start time (a reused
    // pid), another boot of this machine, and another host (which cannot be checked, so is left alone).
    void forgedOwners() {
        const std::string file = path("forged.db");
        const RunOwner self = currentRunOwner();
        std::vector<int64_t> ids;
        {
            RunStore store = RunStore::open(file);
            for (int i = 0; i < 5; ++i)
                ids.push_back(store.createRun({"g", "run " + std::to_string(i), "standard", "{}"}));
        }
        const bool linuxToken = self.token.rfind("linux:", 0) == 0;
        const std::string boot = linuxToken ? self.token.substr(6, self.token.rfind(':') - 6) : "";
        auto setOwner = [&](int64_t id, const std::string& host, int64_t pid, const std::string& token) {
            rawExec(file, "UPDATE runs SET owner_host = '" + host + "', owner_pid = " + std::to_string(pid) +
                              ", owner_token = '" + token + "' WHERE id = " + std::to_string(id));
        };
        setOwner(ids[0], self.host, 2147483000, linuxToken ? "linux:" + boot + ":12345" : "pid:x");
        setOwner(ids[1], self.host, self.pid, linuxToken ? "linux:" + boot + ":1" : "pid:x");
        setOwner(ids[2], self.host, self.pid, linuxToken ? "linux:00000000-dead-beef:1" : self.token);
        setOwner(ids[3], "some-other-host.example", 1, "linux:whatever:1");
        // ids[4] keeps this process as its owner.

        RunStore store = RunStore::open(file);
        QCOMPARE(statusName(store.run(ids[0]).status), std::string("interrupted"));
        QCOMPARE(statusName(store.run(ids[3]).status), std::string("running"));
        QCOMPARE(statusName(store.run(ids[4]).status), std::string("running"));
        if (linuxToken) {
            QCOMPARE(statusName(store.run(ids[1]).status), std::string("interrupted"));
            QCOMPARE(statusName(store.run(ids[2]).status), std::string("interrupted"));
        }
        QCOMPARE(ownerState(self), OwnerState::Alive);
    }
};

QTEST_APPLESS_MAIN(TestStoreConcurrency)
#include "test_store_concurrency.moc"
