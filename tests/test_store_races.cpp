// Run store races and damage: concurrent group claims get distinct groups, two resumes of one group
// cannot both win, a run that a live process trains cannot be deleted, a corrupt file is refused for
// writing and left byte-identical, a read-only open creates nothing, and a reader sees a gone writer.
#include <sys/wait.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/store/RunOwner.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"
#include "store_test_support.h"

using namespace needlescope;
namespace fs = std::filesystem;

namespace {

std::string errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::vector<NewRun> pairOfRuns(const std::string& group) {
    return {{group, group + "/standard", "standard", "{}"}, {group, group + "/diff", "diff", "{}"}};
}

bool writeAll(int fd, const std::string& text) {
    const uint32_t size = uint32_t(text.size());
    return write(fd, &size, sizeof size) == sizeof size && write(fd, text.data(), size) == ssize_t(size);
}

std::string readAll(int fd) {
    uint32_t size = 0;
    if (read(fd, &size, sizeof size) != sizeof size) return "<no answer>";
    std::string text(size, '\0');
    size_t done = 0;
    while (done < size) {
        const ssize_t n = read(fd, text.data() + done, size - done);
        if (n <= 0) return "<short answer>";
        done += size_t(n);
    }
    return text;
}

// Blocks until every writer of `fd` has closed it.
void waitForClose(int fd) {
    char byte;
    while (read(fd, &byte, 1) > 0) {
    }
}

// A forked child that waits for `go` to close, runs `action` (its answer goes to `answerFd`), then holds
// on — staying alive, so it remains the owner of what it claimed — until `hold` is closed, and exits
// without cleaning up, like a killed process.
pid_t spawn(int goFd, int holdFd, int answerFd, const std::vector<int>& closeFds,
            const std::function<std::string()>& action) {
    const pid_t child = fork();
    if (child != 0) return child;
    for (int fd : closeFds) close(fd);
    waitForClose(goFd);
    std::string answer;
    try {
        answer = action();
    } catch (const std::exception& e) {
        answer = std::string("error: ") + e.what();
    }
    if (!writeAll(answerFd, answer)) _exit(2);
    close(answerFd);
    waitForClose(holdFd);
    _exit(0);
}

struct Pipe {
    int fds[2] = {-1, -1};
    Pipe() {
        if (pipe(fds) != 0) fds[0] = fds[1] = -1;
    }
    ~Pipe() { closeBoth(); }
    int readEnd() const { return fds[0]; }
    int writeEnd() const { return fds[1]; }
    void closeRead() { closeOne(fds[0]); }
    void closeWrite() { closeOne(fds[1]); }
    void closeBoth() { closeRead(), closeWrite(); }

  private:
    static void closeOne(int& fd) {
        if (fd >= 0) close(fd);
        fd = -1;
    }
};

int reap(pid_t child) {
    int status = 0;
    waitpid(child, &status, 0);
    return status;
}

}  // namespace

class TestStoreRaces : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string path(const std::string& name) const {
        return QDir(dir_.path()).filePath(QString::fromStdString(name)).toStdString();
    }

  private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    // Three experiments that start in the same second (same base name) on three connections, many times:
    // each gets its own group with all of its runs, and the free folder it checked for is still free.
    void concurrentGroupClaimsAreDistinct() {
        const std::string file = path("claims.db");
        const fs::path root = path("claims-checkpoints");
        fs::create_directories(root);
        RunStore::open(file);
        const int rounds = 15, claimers = 3;
        std::vector<std::vector<ClaimedGroup>> claims(claimers);
        std::vector<std::string> errors(claimers);
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int c = 0; c < claimers; ++c) {
            threads.emplace_back([&, c] {
                try {
                    RunStore store = RunStore::open(file);
                    for (int round = 0; round < rounds; ++round) {
                        ++ready;
                        while (ready.load() < claimers * (round + 1)) std::this_thread::yield();
                        const ClaimedGroup claimed =
                            store.createGroup("exp-" + std::to_string(round), pairOfRuns,
                                              [&](const std::string& g) { return !fs::exists(root / g); });
                        // As the experiment does: its folder, only after the claim; it must be new.
                        if (!fs::create_directory(root / claimed.group))
                            throw Error("folder " + claimed.group + " existed already");
                        claims[size_t(c)].push_back(claimed);
                    }
                } catch (const std::exception& e) {
                    errors[size_t(c)] = e.what();
                }
            });
        }
        for (auto& t : threads) t.join();
        for (const auto& e : errors) QVERIFY2(e.empty(), e.c_str());

        RunStore store = RunStore::open(file, true);
        std::set<std::string> groups;
        std::set<int64_t> ids;
        for (int round = 0; round < rounds; ++round) {
            std::set<std::string> thisRound;
            for (int c = 0; c < claimers; ++c) {
                const ClaimedGroup& claimed = claims[size_t(c)][size_t(round)];
                thisRound.insert(claimed.group);
                QVERIFY2(groups.insert(claimed.group).second, claimed.group.c_str());
                QCOMPARE(claimed.runIds.size(), size_t(2));
                const auto runs = store.group(claimed.group);
                QCOMPARE(runs.size(), size_t(2));  // exactly its own runs: names disjoint from the others'
                for (size_t i = 0; i < runs.size(); ++i) {
                    QCOMPARE(runs[i].id, claimed.runIds[i]);
                    QCOMPARE(runs[i].name, claimed.group + "/" + runs[i].kind);
                    QCOMPARE(runs[i].status, RunStatus::Running);
                    QVERIFY(ids.insert(runs[i].id).second);
                }
            }
            const std::string base = "exp-" + std::to_string(round);
            QCOMPARE(thisRound, (std::set<std::string>{base, base + "-2", base + "-3"}));
        }
    }

    // The same with three processes, each claiming once.
    void concurrentGroupClaimsInProcesses() {
        const std::string file = path("claims-processes.db");
        RunStore::open(file);
        Pipe go, hold;
        std::vector<std::unique_ptr<Pipe>> answers;
        std::vector<pid_t> children;
        for (int c = 0; c < 3; ++c) {
            answers.push_back(std::make_unique<Pipe>());
            std::vector<int> closeFds = {go.writeEnd(), hold.writeEnd(), answers.back()->readEnd()};
            children.push_back(spawn(go.readEnd(), hold.readEnd(), answers.back()->writeEnd(), closeFds, [&] {
                RunStore store = RunStore::open(file);
                return store.createGroup("together-20250101-120000", pairOfRuns).group;
            }));
            answers.back()->closeWrite();
        }
        go.closeWrite();
        std::set<std::string> groups;
        for (auto& answer : answers) groups.insert(readAll(answer->readEnd()));
        hold.closeWrite();
        for (pid_t child : children) reap(child);
        const std::string base = "together-20250101-120000";
        QCOMPARE(groups, (std::set<std::string>{base, base + "-2", base + "-3"}));
        RunStore store = RunStore::open(file, true);
        for (const std::string& g : groups) QCOMPARE(store.group(g).size(), size_t(2));
        QCOMPARE(store.runs().size(), size_t(6));
    }

    void claimSkipsUsedNamesAndTakenFolders() {
        const std::string file = path("skip.db");
        RunStore store = RunStore::open(file);
        store.createRun({"g", "old", "standard", "{}"});
        QCOMPARE(store.createGroup("g", pairOfRuns).group, std::string("g-2"));
        const auto claimed =
            store.createGroup("g", pairOfRuns, [](const std::string& g) { return g != "g-3"; });
        QCOMPARE(claimed.group, std::string("g-4"));
        QCOMPARE(store.group("g-4").size(), size_t(2));
        QVERIFY(store.group("g-3").empty());
        // A bad config inserts nothing: the whole group is one transaction.
        const std::string bad = errorOf([&] {
            store.createGroup("bad", [](const std::string& g) {
                return std::vector<NewRun>{{g, "ok", "standard", "{}"}, {g, "broken", "diff", "{not json"}};
            });
        });
        QVERIFY2(contains(bad, "not valid JSON"), bad.c_str());
        QVERIFY(store.group("bad").empty());
    }

    // Two processes resume the same interrupted group at once: exactly one gets it, the other is told who.
    void concurrentResumeClaimsOneWins() {
        const std::string file = path("resume.db");
        const std::string host = currentRunOwner().host;
        for (int round = 0; round < 4; ++round) {
            int64_t anchor = 0;
            {
                RunStore store = RunStore::open(file);
                const ClaimedGroup claimed = store.createGroup("pair", pairOfRuns);
                for (int64_t id : claimed.runIds) store.setStatus(id, RunStatus::Interrupted);
                anchor = claimed.runIds[size_t(round % 2)];
            }
            Pipe go, hold;
            std::vector<std::unique_ptr<Pipe>> answers;
            std::vector<pid_t> children;
            for (int c = 0; c < 2; ++c) {
                answers.push_back(std::make_unique<Pipe>());
                std::vector<int> closeFds = {go.writeEnd(), hold.writeEnd(), answers.back()->readEnd()};
                children.push_back(
                    spawn(go.readEnd(), hold.readEnd(), answers.back()->writeEnd(), closeFds, [&] {
                        RunStore store = RunStore::open(file);
                        store.claimForResume(anchor);
                        return std::string("claimed");
                    }));
                answers.back()->closeWrite();
            }
            go.closeWrite();
            std::vector<std::string> results;
            for (auto& answer : answers) results.push_back(readAll(answer->readEnd()));
            const int winner = results[0] == "claimed" ? 0 : 1;
            const std::string refused = results[size_t(1 - winner)];
            QVERIFY2(results[size_t(winner)] == "claimed", results[size_t(winner)].c_str());
            const std::string expected = "run " + std::to_string(anchor) + " is being trained by process " +
                                         std::to_string(children[size_t(winner)]) + " on host " + host;
            QVERIFY2(contains(refused, expected), (refused + " / expected: " + expected).c_str());
            {
                RunStore reader = RunStore::open(file, true);
                for (const RunRecord& r : reader.group(reader.run(anchor).group)) {
                    QCOMPARE(r.status, RunStatus::Running);
                    QCOMPARE(r.owner.pid, int64_t(children[size_t(winner)]));
                }
            }
            hold.closeWrite();
            for (pid_t child : children) reap(child);
        }
    }

    // Resume claims against this process and against a process that is gone; a finished run is refused.
    void resumeClaimRules() {
        const std::string file = path("resume-rules.db");
        RunStore store = RunStore::open(file);
        const ClaimedGroup claimed = store.createGroup("rules", pairOfRuns);
        const int64_t id = claimed.runIds[0];
        const std::string self = errorOf([&] { store.claimForResume(id); });  // this process trains it
        QVERIFY2(contains(self, "is being trained by process " + std::to_string(getpid())), self.c_str());

        for (int64_t r : claimed.runIds) store.setStatus(r, RunStatus::Interrupted);
        Pipe go, hold, answer;
        go.closeWrite();
        const pid_t child =
            spawn(go.readEnd(), hold.readEnd(), answer.writeEnd(), {hold.writeEnd(), answer.readEnd()}, [&] {
                RunStore childStore = RunStore::open(file);
                childStore.claimForResume(id);
                return std::string("claimed");
            });
        answer.closeWrite();
        QCOMPARE(readAll(answer.readEnd()), std::string("claimed"));
        const std::string live = errorOf([&] { store.claimForResume(claimed.runIds[1]); });
        QVERIFY2(contains(live, "is being trained by process " + std::to_string(child)), live.c_str());
        hold.closeWrite();
        reap(child);

        const std::vector<RunRecord> before = store.claimForResume(id);  // its owner is gone now
        QCOMPARE(before.size(), size_t(2));
        QCOMPARE(before[0].status, RunStatus::Running);  // as stored: nobody marked it interrupted
        QVERIFY(before[0].writerGone);
        for (const RunRecord& r : store.group("rules")) QCOMPARE(r.owner.pid, int64_t(getpid()));

        store.setStatus(id, RunStatus::Finished);
        const std::string finished = errorOf([&] { store.claimForResume(id); });
        QVERIFY2(contains(finished, "already finished"), finished.c_str());
    }

    // A run that a live process (another one, or this one) trains cannot be deleted; once gone, it can.
    void deleteRefusedWhileTrained() {
        const std::string file = path("delete.db");
        RunStore store = RunStore::open(file);
        Pipe go, hold, answer;
        go.closeWrite();
        const pid_t child =
            spawn(go.readEnd(), hold.readEnd(), answer.writeEnd(), {hold.writeEnd(), answer.readEnd()}, [&] {
                RunStore childStore = RunStore::open(file);
                return std::to_string(childStore.createRun({"g", "child", "diff", "{}"}));
            });
        answer.closeWrite();
        const int64_t childRun = std::stoll(readAll(answer.readEnd()));
        store.addCheckpoint(childRun, 10, "/nowhere/step-10.pt");

        const std::string refused = errorOf([&] { store.deleteRun(childRun); });
        const std::string expected = "run " + std::to_string(childRun) + " is being trained by process " +
                                     std::to_string(child) + " on host " + currentRunOwner().host +
                                     "; stop it first";
        QVERIFY2(contains(refused, expected), refused.c_str());
        QCOMPARE(store.run(childRun).name, std::string("child"));
        QCOMPARE(store.checkpoints(childRun).size(), size_t(1));

        const int64_t ours = store.createRun({"g", "ours", "standard", "{}"});
        const std::string self = errorOf([&] { store.deleteRun(ours); });
        QVERIFY2(contains(self, "is being trained by process " + std::to_string(getpid())), self.c_str());
        store.setStatus(ours, RunStatus::Cancelled);
        QCOMPARE(errorOf([&] { store.deleteRun(ours); }), std::string());

        hold.closeWrite();
        reap(child);
        QCOMPARE(store.deleteRun(childRun), std::vector<std::string>{"/nowhere/step-10.pt"});
        QVERIFY(!errorOf([&] { store.run(childRun); }).empty());
    }

    // A page in the middle of a store with data in every table is overwritten with garbage: opening it
    // for writing is refused naming the damage, and the file stays byte-identical with no side files.
    void corruptPageRefusedForWriting() {
        const std::string file = path("corrupt.db");
        {
            RunStore store = RunStore::open(file);
            for (int r = 0; r < 3; ++r) {
                const int64_t id = store.createRun({"g", "run " + std::to_string(r), "standard", "{}"});
                std::vector<MetricPoint> points;
                for (int step = 0; step < 600; ++step)
                    points.push_back({step, "train_loss", 1.0 / (step + 1)});
                store.appendMetrics(id, points);
                for (int step = 10; step <= 100; step += 10)
                    store.addCheckpoint(
                        id, step,
                        "/checkpoints/g/run" + std::to_string(r) + "/step-" + std::to_string(step) + ".pt");
                std::vector<ProbeRow> rows;
                for (int layer = 0; layer < 4; ++layer)
                    for (int head = 0; head < 8; ++head) {
                        ProbeRow row;
                        row.runId = id, row.step = 100, row.depth = 50, row.contextLength = 256;
                        row.layer = layer, row.head = head, row.signedTotal = 0.5;
                        rows.push_back(row);
                    }
                store.addProbeRows(rows);
                store.setStatus(id, RunStatus::Finished);
            }
        }
        QVERIFY(!storetest::hasSideFiles(file));  // the last connection checkpointed and removed them
        QCOMPARE(storetest::quickCheck(file), std::string("ok"));
        const int64_t page = storetest::corruptMiddlePage(file);
        QVERIFY2(page > 1, "no page whose damage quick_check notices");
        const std::vector<char> before = storetest::fileBytes(file);

        for (int attempt = 0; attempt < 2; ++attempt) {
            const std::string error = errorOf([&] { RunStore::open(file); });
            QVERIFY2(contains(error, file) && contains(error, "corrupt") && contains(error, "left unchanged"),
                     error.c_str());
            QVERIFY(storetest::fileBytes(file) == before);
            QVERIFY(!storetest::hasSideFiles(file));
        }
        // Reading may work or fail, depending on what it touches, but never writes or creates anything.
        errorOf([&] {
            RunStore reader = RunStore::open(file, true);
            for (const RunRecord& r : reader.runs()) reader.metrics(r.id);
        });
        QVERIFY(storetest::fileBytes(file) == before);
        QVERIFY(!storetest::hasSideFiles(file));
    }

    // A read-only open creates no folder, no file and no -wal/-shm files, and still reads a live store.
    void readOnlyOpenCreatesNothing() {
        const std::string missing = path("newdir/sub/x.db");
        QVERIFY(!errorOf([&] { RunStore::open(missing, true); }).empty());
        QVERIFY(!fs::exists(path("newdir")));

        const std::string file = path("quiet.db");
        int64_t id = 0;
        {
            RunStore store = RunStore::open(file);
            id = store.createRun({"g", "quiet", "standard", "{}"});
            store.appendMetrics(id, {{1, "loss", 2.0}});
            store.setStatus(id, RunStatus::Finished);
        }
        QVERIFY(!storetest::hasSideFiles(file));
        const std::vector<char> before = storetest::fileBytes(file);
        {
            RunStore reader = RunStore::open(file, true);
            QCOMPARE(reader.runs().size(), size_t(1));
            QCOMPARE(reader.metrics(id).size(), size_t(1));
            QVERIFY(!storetest::hasSideFiles(file));
        }
        QVERIFY(!storetest::hasSideFiles(file));
        QVERIFY(storetest::fileBytes(file) == before);

        // With a writer at work, a reader sees what it committed to its -wal file.
        RunStore writer = RunStore::open(file);
        writer.appendMetrics(id, {{2, "loss", 1.5}});
        RunStore reader = RunStore::open(file, true);
        QCOMPARE(reader.metrics(id).size(), size_t(2));
    }

    // A run whose writer died is `running` in the file until a writer marks it, but every reader already
    // sees that its writer is gone.
    void readerSeesGoneWriter() {
        const std::string file = path("gone.db");
        int64_t ours = 0;
        {
            RunStore store = RunStore::open(file);
            ours = store.createRun({"g", "ours", "standard", "{}"});
        }
        Pipe go, hold, answer;
        go.closeWrite();
        hold.closeWrite();
        const pid_t child = spawn(go.readEnd(), hold.readEnd(), answer.writeEnd(), {answer.readEnd()}, [&] {
            RunStore childStore = RunStore::open(file);
            return std::to_string(childStore.createRun({"g", "killed", "diff", "{}"}));
        });
        answer.closeWrite();
        const int64_t gone = std::stoll(readAll(answer.readEnd()));
        reap(child);

        RunStore reader = RunStore::open(file, true);
        const RunRecord record = reader.run(gone);
        QCOMPARE(record.status, RunStatus::Running);
        QVERIFY(record.writerGone);
        QCOMPARE(record.effectiveStatus(), RunStatus::Interrupted);
        QCOMPARE(record.owner.pid, int64_t(child));
        QVERIFY(!reader.run(ours).writerGone);
        QCOMPARE(reader.run(ours).effectiveStatus(), RunStatus::Running);
        for (const RunRecord& r : reader.runs()) QCOMPARE(r.writerGone, r.id == gone);
    }

    // What checkpointWal() is for: afterwards the database file alone (a backup that missed the -wal
    // file) holds every committed write.
    void checkpointWalMakesTheDatabaseFileComplete() {
        const std::string file = path("wal.db");
        RunStore store = RunStore::open(file);
        const int64_t id = store.createRun({"g", "wal", "standard", "{}"});
        std::vector<MetricPoint> points;
        for (int step = 0; step < 200; ++step) points.push_back({step, "loss", 1.0});
        store.appendMetrics(id, points);
        QVERIFY(fs::exists(file + "-wal"));

        auto copyAlone = [&](const std::string& name) {
            const std::string copy = path(name);
            storetest::writeBytes(copy, storetest::fileBytes(file));
            return copy;
        };
        const std::string early = copyAlone("wal-early.db");
        size_t earlyCount = 0;
        errorOf([&] { earlyCount = RunStore::open(early, true).metrics(id).size(); });
        QVERIFY2(earlyCount < points.size(), "before the checkpoint the writes are only in the -wal file");

        store.checkpointWal();
        const std::string late = copyAlone("wal-late.db");
        QCOMPARE(RunStore::open(late, true).metrics(id).size(), points.size());
        QVERIFY(!errorOf([&] { RunStore::open(file, true).checkpointWal(); }).empty());  // read-only
    }
};

QTEST_APPLESS_MAIN(TestStoreRaces)
#include "test_store_races.moc"
