// Data-parallel training over c10d/Gloo on 127.0.0.1 (issue 11), as a user runs it: `train --nproc 2` gives
// the per-step losses of one process on the same global batches (needle rows with weighted answer tokens
// included), a killed rank stops the other with a clear error and leaves the runs interrupted, a run resumes
// with another rank count on the single-process curve, and bad rank settings are usage errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "TestSupport.h"
#include "cli_test_support.h"
#include "core/store/RunStore.h"
#include "core/train/DistributedContext.h"

using namespace needlescope;

namespace {

constexpr int64_t kSteps = 120;
constexpr double kTolerance = 1e-5;

using Curve = std::map<int64_t, double>;  // step → train loss

// The children of `pid` (the launcher's ranks), from /proc.
QList<qint64> childrenOf(qint64 pid) {
    QFile file(QString("/proc/%1/task/%1/children").arg(pid));
    QList<qint64> out;
    if (!file.open(QIODevice::ReadOnly)) return out;
    for (const auto& part : QString::fromUtf8(file.readAll()).split(' ', Qt::SkipEmptyParts))
        out.push_back(part.toLongLong());
    return out;
}

// A TCP port on 127.0.0.1 that was free a moment ago (0 when none could be found).
int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0)
        port = ntohs(addr.sin_port);
    if (fd >= 0) ::close(fd);
    return port;
}

bool hasEnv(qint64 pid, const QByteArray& entry) {
    QFile file(QString("/proc/%1/environ").arg(pid));
    return file.open(QIODevice::ReadOnly) && file.readAll().split('\0').contains(entry);
}

}  // namespace

class TestDistributed : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString corpus_, config_;
    std::vector<Curve> reference_;  // one process, per model kind (standard, diff)

    QString db(const QString& name) const { return QDir(dir_.filePath(name)).filePath("runs.db"); }
    QStringList train(const QString& name, const QStringList& extra) const {
        return QStringList{"train", "--config", config_,  "--threads", "1",
                           "--db",  db(name),   "--data", corpus_} +
               extra;
    }
    clitest::Result cli(const QStringList& args, int timeoutMs = 120000) const {
        return clitest::run(dir_.path(), args, timeoutMs);
    }
    // The runs of the (only) group in `name`'s store, in creation order: standard, diff.
    static std::vector<RunRecord> runsOf(const QString& path) {
        RunStore store = RunStore::open(path.toStdString(), true);
        auto runs = store.runs();
        std::sort(runs.begin(), runs.end(),
                  [](const RunRecord& a, const RunRecord& b) { return a.id < b.id; });
        return runs;
    }
    static Curve curve(const QString& path, int64_t runId) {
        RunStore store = RunStore::open(path.toStdString(), true);
        Curve out;
        for (const auto& p : store.metrics(runId, "train_loss")) out[p.step] = p.value;
        return out;
    }
    // max |loss − reference| over steps [from, to] of every run in `path`; fails when a step is missing.
    double worstDifference(const QString& path, int64_t from, int64_t to) const {
        const auto runs = runsOf(path);
        if (runs.size() != reference_.size()) return INFINITY;
        double worst = 0;
        for (size_t i = 0; i < runs.size(); ++i) {
            const Curve got = curve(path, runs[i].id);
            for (int64_t step = from; step <= to; ++step) {
                if (!got.count(step)) return INFINITY;
                worst = std::max(worst, std::abs(got.at(step) - reference_[i].at(step)));
            }
        }
        return worst;
    }
    // Starts a training command and waits until its runs have a checkpoint at step 10.
    bool startAndWaitForStep10(QProcess& process, const QString& name, const QStringList& extra) {
        clitest::start(process, dir_.path(), train(name, extra));
        if (!process.waitForStarted()) return false;
        QDeadlineTimer deadline(60000);
        while (!deadline.hasExpired() && process.state() == QProcess::Running) {
            try {
                RunStore store = RunStore::open(db(name).toStdString(), true);
                const auto runs = store.runs();
                bool all = runs.size() == 2;
                for (const auto& r : runs) all = all && !store.checkpoints(r.id).empty();
                if (all) return true;
            } catch (const std::exception&) {  // not created yet
            }
            QTest::qWait(50);
        }
        return false;
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!distributedAvailable()) QSKIP("built without Gloo headers (libgloo-dev)");
        corpus_ = dir_.filePath("corpus");
        if (!testsupport::makeSmallCorpus(corpus_)) QSKIP("shared WikiText data not found");
        // Tiny models; half of the rows are needle tasks whose answer tokens weigh 10 in the loss, so the
        // ranks' slices carry different loss weight sums and only a normalisation over the global batch's
        // weight sum (not each rank's own, nor a split by rows) gives the single-process loss.
        const nlohmann::json config = {
            {"name", "dp"},
            {"model", {{"d_model", 32}, {"heads", 4}, {"layers", 2}, {"max_context", 128}, {"seed", 7}}},
            {"tokenizer_vocab", 512},
            {"optimizer", {{"lr", 3e-3}, {"warmup_steps", 5}}},
            {"batch_size", 4},
            {"steps", kSteps},
            {"eval_every", 60},
            {"eval_batches", 3},
            {"checkpoint_every", 10},
            {"curriculum_fraction", 0.5},
            {"needle_loss", 10},
            {"needle_sets", {{1, 1}}}};
        config_ = dir_.filePath("dp.json");
        QFile file(config_);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(config.dump(2)));
        file.close();

        const auto r = cli(train("reference", {}));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        for (const auto& run : runsOf(db("reference"))) reference_.push_back(curve(db("reference"), run.id));
        QCOMPARE(int(reference_.size()), 2);
        QCOMPARE(int64_t(reference_.front().size()), kSteps);
    }

    void rankEnvironmentIsReadLikeTorchrun() {
        auto lookupIn = [](std::map<std::string, std::string> env) {
            return [env](const char* name) -> const char* {
                const auto it = env.find(name);
                return it == env.end() ? nullptr : it->second.c_str();
            };
        };
        QVERIFY(!rankEnvFrom(lookupIn({})).has_value());
        const auto env = rankEnvFrom(lookupIn({{"RANK", "1"},
                                               {"WORLD_SIZE", "4"},
                                               {"LOCAL_RANK", "0"},
                                               {"MASTER_ADDR", "10.0.0.2"},
                                               {"MASTER_PORT", "29500"}}));
        QVERIFY(env.has_value());
        QCOMPARE(env->rank, 1);
        QCOMPARE(env->worldSize, 4);
        QCOMPARE(env->localRank, 0);
        QCOMPARE(env->masterAddr, std::string("10.0.0.2"));
        QCOMPARE(env->masterPort, 29500);
        QVERIFY(!env->agentStore);
        const QList<std::pair<std::map<std::string, std::string>, QString>> bad = {
            {{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "29500"}}, "MASTER_ADDR"},
            {{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}}, "MASTER_PORT"},
            {{{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "RANK"},
            {{{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "RANK"},
            {{{"RANK", "0"}, {"WORLD_SIZE", "x"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "WORLD_SIZE"},
        };
        for (const auto& [vars, name] : bad) {
            try {
                rankEnvFrom(lookupIn(vars));
                QFAIL(qPrintable("accepted an environment without a valid " + name));
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(name), e.what());
            }
        }
    }

    void twoRanksGiveTheLossesOfOneProcess() {
        const auto r = cli(train("two", {"--nproc", "2"}));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("starting 2 processes"), qPrintable(r.err));
        const double first20 = worstDifference(db("two"), 1, 20);
        const double all = worstDifference(db("two"), 1, kSteps);
        qInfo("2 ranks vs 1 process: max |train loss difference| steps 1-20 = %.3g, 1-%lld = %.3g", first20,
              (long long)kSteps, all);
        QVERIFY(first20 <= kTolerance);
        // Validation is shared out over the ranks and summed: the same mean.
        RunStore store = RunStore::open(db("two").toStdString(), true);
        RunStore ref = RunStore::open(db("reference").toStdString(), true);
        const auto runs = runsOf(db("two"));
        const auto refRuns = runsOf(db("reference"));
        for (size_t i = 0; i < runs.size(); ++i) {
            const auto val = store.metrics(runs[i].id, "val_loss");
            const auto refVal = ref.metrics(refRuns[i].id, "val_loss");
            QCOMPARE(val.size(), refVal.size());
            QVERIFY(std::abs(val.front().value - refVal.front().value) <= kTolerance);
            QCOMPARE(store.run(runs[i].id).status, RunStatus::Finished);
            QCOMPARE(int(store.checkpoints(runs[i].id).size()), int(kSteps / 10));
        }
    }

    // Two processes started the way torchrun starts them (no launcher: rank 0 hosts the rendezvous).
    void torchrunStyleRanksTrainTogether() {
        const int port = freePort();
        QVERIFY(port > 0);
        std::vector<std::unique_ptr<QProcess>> ranks;
        for (int r = 0; r < 2; ++r) {
            auto env = clitest::environment(dir_.path());
            for (const auto& [name, value] :
                 std::map<QString, QString>{{"RANK", QString::number(r)},
                                            {"WORLD_SIZE", "2"},
                                            {"LOCAL_RANK", QString::number(r)},
                                            {"LOCAL_WORLD_SIZE", "2"},
                                            {"MASTER_ADDR", "127.0.0.1"},
                                            {"MASTER_PORT", QString::number(port)}})
                env.insert(name, value);
            ranks.push_back(std::make_unique<QProcess>());
            ranks.back()->setProcessEnvironment(env);
            ranks.back()->start(NEEDLESCOPE_CLI_PATH, train("torchrun", {}));
        }
        for (auto& rank : ranks) {
            const auto r = clitest::finish(*rank, 120000);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        const double worst = worstDifference(db("torchrun"), 1, kSteps);
        qInfo("torchrun-style 2 ranks vs 1 process: max |train loss difference| = %.3g", worst);
        QVERIFY(worst <= kTolerance);
    }

    void killingOneRankStopsTheOtherAndInterruptsTheRuns() {
        QProcess launcher;
        QVERIFY(startAndWaitForStep10(launcher, "killed", {"--nproc", "2"}));
        qint64 rank1 = 0;
        for (qint64 child : childrenOf(launcher.processId()))
            if (hasEnv(child, "RANK=1")) rank1 = child;
        QVERIFY2(rank1 > 0, "rank 1 found among the launcher's children");
        ::kill(pid_t(rank1), SIGKILL);
        const auto r = clitest::finish(launcher, 60000);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("process 1") && r.err.contains("killed by signal 9"), qPrintable(r.err));
        QVERIFY2(r.err.contains("lost contact"), qPrintable(r.err));  // rank 0's own error
        for (const auto& run : runsOf(db("killed"))) QCOMPARE(run.status, RunStatus::Interrupted);
    }

    // The 2-rank run killed above resumes in one process from step 10 on the single-process curve.
    void twoRankRunResumesInOneProcess() {
        const auto runs = runsOf(db("killed"));
        QVERIFY(!runs.empty());
        const auto r = cli({"train", "--resume", QString::number(runs.front().id), "--from-step", "10",
                            "--threads", "1", "--db", db("killed")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const double worst = worstDifference(db("killed"), 11, kSteps);
        qInfo("2-rank run resumed by 1 process: max |train loss difference| steps 11-%lld = %.3g",
              (long long)kSteps, worst);
        QVERIFY(worst <= kTolerance);
    }

    // A single-process run stopped by SIGTERM resumes with 2 ranks from step 10 on the same curve.
    void oneProcessRunResumesWithTwoRanks() {
        QProcess single;
        QVERIFY(startAndWaitForStep10(single, "single", {}));
        ::kill(pid_t(single.processId()), SIGTERM);
        const auto stopped = clitest::finish(single, 60000);
        QVERIFY2(stopped.exitCode == 3 || stopped.exitCode == 0, qPrintable(stopped.err));
        if (stopped.exitCode == 0) QSKIP("the run finished before the stop arrived");
        const auto runs = runsOf(db("single"));
        const auto r = cli({"train", "--resume", QString::number(runs.front().id), "--from-step", "10",
                            "--nproc", "2", "--threads", "1", "--db", db("single")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const double worst = worstDifference(db("single"), 11, kSteps);
        qInfo("1-process run resumed by 2 ranks: max |train loss difference| steps 11-%lld = %.3g",
              (long long)kSteps, worst);
        QVERIFY(worst <= kTolerance);
        for (const auto& run : runsOf(db("single"))) QCOMPARE(run.status, RunStatus::Finished);
    }

    // `--seeds 2 --nproc 2`: whole runs per process or every run over both processes (the default); the same
    // four runs (two seeds × two kinds) in one study either way, with the same losses.
    void seedsArePlacedOnProcesses() {
        std::map<QString, std::map<std::pair<uint64_t, std::string>, Curve>> byPlacement;
        for (const QString placement : {"runs", "batches"}) {
            const QString name = "seeds-" + placement;
            const auto r =
                cli(train(name, {"--seeds", "2", "--nproc", "2", "--steps", "20", "--placement", placement}));
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            const auto runs = runsOf(db(name));
            QCOMPARE(int(runs.size()), 4);
            std::set<std::string> tags;
            for (const auto& run : runs) {
                QCOMPARE(run.status, RunStatus::Finished);
                QCOMPARE(int(run.tags.size()), 1);
                tags.insert(run.tags.front());
                const auto seed =
                    nlohmann::json::parse(run.configJson).at("model").at("seed").get<uint64_t>();
                byPlacement[placement][{seed, run.kind}] = curve(db(name), run.id);
            }
            QCOMPARE(int(tags.size()), 1);  // one study
            QVERIFY(tags.begin()->rfind("study:", 0) == 0);
        }
        QCOMPARE(int(byPlacement["runs"].size()), 4);
        for (const auto& [key, curve] : byPlacement["runs"]) {
            QVERIFY(key.first == 7 || key.first == 8);
            const Curve& other = byPlacement["batches"].at(key);
            QCOMPARE(int64_t(curve.size()), int64_t(20));
            for (const auto& [step, loss] : curve) QVERIFY(std::abs(other.at(step) - loss) <= kTolerance);
        }
    }

    void badRankSettingsAreUsageErrors() {
        for (const char* n : {"0", "99", "two"}) {
            const auto r = cli(train("bad", {"--nproc", n}));
            QVERIFY2(r.exitCode == 2, qPrintable(QString(n) + ": " + r.err));
            QVERIFY2(r.err.contains("--nproc"), qPrintable(r.err));
        }
        QProcess process;
        auto env = clitest::environment(dir_.path());
        env.insert("RANK", "0");
        env.insert("WORLD_SIZE", "2");
        env.insert("MASTER_PORT", "29500");
        env.remove("MASTER_ADDR");
        process.setProcessEnvironment(env);
        process.start(NEEDLESCOPE_CLI_PATH, train("bad", {}));
        auto r = clitest::finish(process, 60000);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("MASTER_ADDR"), qPrintable(r.err));

        env.insert("MASTER_ADDR", "127.0.0.1");
        process.setProcessEnvironment(env);
        process.start(NEEDLESCOPE_CLI_PATH, train("bad", {"--nproc", "2"}));  // torchrun and --nproc at once
        r = clitest::finish(process, 60000);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--nproc") && r.err.contains("torchrun"), qPrintable(r.err));
        QVERIFY(!QFile::exists(db("bad")));
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "test_distributed.moc"
