// Checkpoint faults (issue 14): a full disk or a file-size limit while writing is a clean, resumable error;
// flipped bytes are refused by the checksum; resume falls back to the newest intact checkpoint or takes the
// step it is told; temporary files of killed processes are cleaned up.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

#include "TestSupport.h"
#include "core/data/FileIO.h"
#include "core/store/RunStore.h"
#include "core/train/Checkpoint.h"
#include "core/train/CheckpointFile.h"
#include "core/train/Experiment.h"
#include "core/train/TrainConfig.h"
#include "core/util/Error.h"
#include "train_test_support.h"

using namespace needlescope;
namespace fs = std::filesystem;

namespace {

using RecordingSink = traintest::StepSink;

// Caps the size of any file this process writes (writes past it fail with EFBIG instead of raising SIGXFSZ),
// and lifts the cap again on destruction.
class FileSizeLimit {
  public:
    explicit FileSizeLimit(rlim_t bytes) {
        previousHandler_ = ::signal(SIGXFSZ, SIG_IGN);
        ::getrlimit(RLIMIT_FSIZE, &previous_);
        rlimit limit = previous_;
        limit.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() { lift(); }
    void lift() {
        if (lifted_) return;
        ::setrlimit(RLIMIT_FSIZE, &previous_);
        ::signal(SIGXFSZ, previousHandler_);
        lifted_ = true;
    }

  private:
    rlimit previous_{};
    sighandler_t previousHandler_ = SIG_DFL;
    bool lifted_ = false;
};

void flipBytes(const std::string& path, int64_t offset, int count) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    for (int i = 0; i < count; ++i) {
        file.seekg(offset + i);
        const char c = static_cast<char>(file.get());
        file.seekp(offset + i);
        file.put(static_cast<char>(c ^ 0x5a));
    }
}

std::vector<std::string> temporaryFiles(const std::string& folder) {
    std::vector<std::string> found;
    if (!fs::exists(folder)) return found;
    for (const auto& entry : fs::recursive_directory_iterator(folder))
        if (entry.path().filename().string().find(".tmp") != std::string::npos) found.push_back(entry.path());
    return found;
}

long deadPid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

}  // namespace

class TestCheckpointFaults : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    ExperimentPaths paths_;

    TrainConfig config(int64_t steps) const { return traintest::tinyConfig(steps, 2, 100); }

    // A group stopped after `stopAt` steps of `steps` (checkpoints every 2 steps).
    std::vector<int64_t> interruptedGroup(int64_t steps, int64_t stopAt) {
        TrainingControl control;
        RecordingSink sink(stopAt, [&control] { control.stop(); });
        Experiment experiment(config(steps), paths_, &sink, &control);
        if (experiment.run() != RunStatus::Interrupted) return {};
        return experiment.runIds();
    }

    std::string checkpointAt(int64_t runId, int64_t step) {
        RunStore store = RunStore::open(paths_.dbPath);
        for (const auto& c : store.checkpoints(runId))
            if (c.step == step) return c.path;
        return {};
    }

    double lastLoss(int64_t runId) {
        RunStore store = RunStore::open(paths_.dbPath);
        const auto points = store.metrics(runId, "train_loss");
        return points.empty() ? -1 : points.back().value;
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!traintest::scratchExperiment(dir_.path(), paths_)) QSKIP("shared WikiText data not found");
    }

    void sealedBytesCatchAFlippedByte() {
        std::string bytes = "archive contents standing in for a zip file";
        sealCheckpointBytes(bytes);
        const std::string path = dir_.filePath("sealed.bin").toStdString();
        writeFileAtomically(path, bytes);
        const CheckpointBytes read = readCheckpointBytes(path);
        QVERIFY(read.verified);
        QCOMPARE(read.archive, std::string("archive contents standing in for a zip file"));

        flipBytes(path, 3, 1);
        try {
            readCheckpointBytes(path);
            QFAIL("a flipped byte must fail the checksum");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("checksum mismatch"), e.what());
            QVERIFY2(QString(e.what()).contains("sealed.bin"), e.what());
        }
        // A file without a trailer (written before checksums) is returned whole and marked unverified.
        writeFileAtomically(path, "no trailer here");
        QVERIFY(!readCheckpointBytes(path).verified);
    }

    void diskRoomVerdicts() {
        const uint64_t mb = 1 << 20;
        QCOMPARE(judgeDiskRoom(100 * mb, 10 * mb), DiskRoom::Enough);
        QCOMPARE(judgeDiskRoom(30 * mb, 10 * mb), DiskRoom::Low);        // room for this one and two more
        QCOMPARE(judgeDiskRoom(10 * mb, 10 * mb), DiskRoom::NotEnough);  // no margin left for the store
        QCOMPARE(judgeDiskRoom(5 * mb, 10 * mb), DiskRoom::NotEnough);
    }

    void writeOverTheSizeLimitIsACleanError() {
        ModelConfig m = loadPreset("tiny").model;
        m.vocabSize = 512;
        Decoder model(m);
        torch::optim::AdamW optimizer(model->parameters());
        const std::string folder = dir_.filePath("limit").toStdString();
        const std::string path = folder + "/step-1.pt";
        saveCheckpoint(path, *model, optimizer, CheckpointState{1, 1, 0, 0});
        const auto before = fs::file_size(path);

        CheckpointState later{2, 2, 0, 0};
        FileSizeLimit limit(before / 3);
        try {
            saveCheckpoint(path, *model, optimizer, later);  // the old code aborted the process here
            QFAIL("a checkpoint larger than the file size limit must fail");
        } catch (const StorageError& e) {
            limit.lift();
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(path)), e.what());
            QVERIFY2(QString(e.what()).contains("size limit"), e.what());
        }
        limit.lift();
        QVERIFY(temporaryFiles(folder).empty());
        Decoder again(m);
        QCOMPARE(loadCheckpoint(path, *again, nullptr).step, int64_t(1));  // the earlier file is intact
    }

    void fullDiskDuringTrainingIsResumable() {
        std::unique_ptr<FileSizeLimit> limit;
        RecordingSink sink(3, [&] {
            // After the checkpoints of step 2: the store still fits under the cap, a checkpoint does not.
            limit = std::make_unique<FileSizeLimit>(200 * 1024);
        });
        Experiment experiment(config(8), paths_, &sink);
        try {
            experiment.run();
            QFAIL("the checkpoint at step 4 cannot be written");
        } catch (const StorageError& e) {
            limit->lift();
            QVERIFY2(QString(e.what()).contains("step-4.pt"), e.what());
        }
        limit->lift();
        QVERIFY(sink.logged("the runs were marked interrupted"));
        RunStore store = RunStore::open(paths_.dbPath);
        for (int64_t id : experiment.runIds()) {
            QCOMPARE(store.run(id).status, RunStatus::Interrupted);
            QCOMPARE(store.run(id).lastStep, int64_t(2));
        }
        QVERIFY(temporaryFiles(paths_.checkpointDir).empty());

        RecordingSink resumed;
        QCOMPARE(Experiment(TrainConfig{}, paths_, &resumed).resume(experiment.runIds().front()),
                 RunStatus::Finished);
        QVERIFY(resumed.logged("at step 2"));
        RunStore after = RunStore::open(paths_.dbPath);
        for (int64_t id : experiment.runIds()) QCOMPARE(after.run(id).status, RunStatus::Finished);
    }

    void flippedBytesAreRefusedAndResumeFallsBack() {
        Experiment straight(config(8), paths_);
        QCOMPARE(straight.run(), RunStatus::Finished);
        const auto runs = interruptedGroup(8, 4);
        QCOMPARE(int(runs.size()), 2);

        const std::string newest = checkpointAt(runs.front(), 4);
        flipBytes(newest, int64_t(fs::file_size(newest) / 2), 16);
        try {
            loadModel(newest);
            QFAIL("a checkpoint with flipped bytes must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("checksum"), e.what());
        }

        RecordingSink sink;
        QCOMPARE(Experiment(TrainConfig{}, paths_, &sink).resume(runs.front()), RunStatus::Finished);
        QVERIFY2(sink.logged("falling back to step 2"), qPrintable(sink.lines.join("\n")));
        for (size_t i = 0; i < runs.size(); ++i)  // the same curve as a run that was never interrupted
            QVERIFY(std::abs(lastLoss(runs[i]) - lastLoss(straight.runIds()[i])) <= 1e-6);
    }

    void missingNewestCheckpointFallsBack() {
        const auto runs = interruptedGroup(8, 4);
        QCOMPARE(int(runs.size()), 2);
        fs::remove(checkpointAt(runs.back(), 4));
        RecordingSink sink;
        QCOMPARE(Experiment(TrainConfig{}, paths_, &sink).resume(runs.front()), RunStatus::Finished);
        QVERIFY(sink.logged("does not exist"));
        QVERIFY(sink.logged("falling back to step 2"));
    }

    void trailerlessNewFormatIsRefused() {
        const auto runs = interruptedGroup(8, 2);
        const std::string path = checkpointAt(runs.front(), 2);
        fs::resize_file(path, fs::file_size(path) - 24);  // the archive intact, its checksum gone
        try {
            loadModel(path);
            QFAIL("a version-2 checkpoint without its trailer must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("checksum trailer"), e.what());
        }
    }

    void fromStepChoosesTheCheckpoint() {
        const auto runs = interruptedGroup(8, 4);
        try {
            Experiment(TrainConfig{}, paths_).resume(runs.front(), 3);
            QFAIL("there is no checkpoint at step 3");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("steps it can resume from: 2, 4"), e.what());
        }
        RecordingSink sink;
        QCOMPARE(Experiment(TrainConfig{}, paths_, &sink).resume(runs.front(), 2), RunStatus::Finished);
        QVERIFY(sink.logged("at step 2"));
    }

    void staleTemporaryFilesAreRemoved() {
        const QString folder = dir_.filePath("litter");
        QDir().mkpath(folder);
        const long dead = deadPid();
        const long alive = ::getpid();
        const QStringList stale = {QString("step-4.pt.tmp%1").arg(dead),
                                   QString("train-input.%1.txt").arg(dead),
                                   QString("tokenizer.%1.model").arg(dead), "step-2.pt.tmp"};
        const QStringList kept = {QString("step-6.pt.tmp%1").arg(alive), "tokenizer.model", "notes.txt",
                                  "train-input.txt"};
        for (const QString& name : stale + kept) {
            QFile f(QDir(folder).filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QCOMPARE(removeStaleTempFiles(folder.toStdString()), int(stale.size()));
        for (const QString& name : stale)
            QVERIFY2(!QFile::exists(QDir(folder).filePath(name)), qPrintable(name));
        for (const QString& name : kept)
            QVERIFY2(QFile::exists(QDir(folder).filePath(name)), qPrintable(name));
    }
};

QTEST_GUILESS_MAIN(TestCheckpointFaults)
#include "test_checkpoint_faults.moc"
