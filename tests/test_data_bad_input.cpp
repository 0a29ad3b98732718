// Bad input: each case gives a clear error naming the file and the problem (or, for malformed UTF-8,
// the documented U+FFFD replacement) — never a crash or a hang.
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <random>

#include "core/data/Corpus.h"
#include "core/data/ParallelEncode.h"
#include "core/data/TokenCache.h"
#include "core/data/Tokenizer.h"
#include "core/data/TrainingInput.h"
#include "tests/TestSupport.h"
#include "tests/test_data_support.h"

using namespace needlescope;
using datatest::errorOf;
using datatest::str;
using datatest::writeFile;

class TestDataBadInput : public QObject {
    Q_OBJECT

    // A wikitext-2-v1-shaped folder holding just the given files.
    static QString wikiFolder(QTemporaryDir& dir, const QMap<QString, QByteArray>& files) {
        for (auto it = files.begin(); it != files.end(); ++it) writeFile(dir.filePath(it.key()), it.value());
        return dir.path();
    }

  private Q_SLOTS:
    void missingDirectory() {
        QTemporaryDir parent;
        const QString missing = parent.filePath("no-such-wikitext");
        DATA_EXPECT_ERROR(errorOf([&] { detectCorpus(str(missing)); }), missing, "no such file or folder");
    }

    void missingSplit() {
        QTemporaryDir dir;
        wikiFolder(dir, {{"wiki.valid.tokens", " = A = \n"}, {"wiki.test.tokens", " = B = \n"}});
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        const QString expected = dir.filePath("wiki.train.tokens");
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Train); }), expected, "missing",
                          "train split");
        QTemporaryDir cache;
        DATA_EXPECT_ERROR(errorOf([&] { prepareCorpus(corpus, {}, str(cache.path())); }), expected,
                          "missing");
    }

    void emptyFile() {
        QTemporaryDir dir;
        wikiFolder(dir, {{"wiki.train.tokens", ""}, {"wiki.valid.tokens", " = A = \n"}});
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Train); }),
                          dir.filePath("wiki.train.tokens"), "empty");
    }

    void whitespaceOnlyFile() {
        QTemporaryDir dir;
        wikiFolder(dir, {{"wiki.train.tokens", " \n \n\t\n"}});
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Train); }),
                          dir.filePath("wiki.train.tokens"), "only whitespace");
    }

    void randomBinaryFile() {
        QTemporaryDir dir;
        QByteArray noise(64 * 1024, '\0');
        std::mt19937 generator(7);
        for (char& byte : noise) byte = static_cast<char>(generator() & 0xFF);
        wikiFolder(dir, {{"wiki.train.tokens", noise}});
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Train); }),
                          dir.filePath("wiki.train.tokens"), "binary");
    }

    void binaryWithoutNulBytes() {
        // Random bytes with every NUL removed still look like binary data, not text.
        QTemporaryDir dir;
        QByteArray noise(64 * 1024, '\0');
        std::mt19937 generator(11);
        for (char& byte : noise) byte = static_cast<char>(1 + generator() % 255);
        wikiFolder(dir, {{"wiki.train.tokens", noise}});
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Train); }),
                          dir.filePath("wiki.train.tokens"), "not UTF-8");
    }

    void invalidUtf8MidLine() {
        // Documented behaviour: each maximal malformed subsequence becomes one U+FFFD, the rest is kept.
        QTemporaryDir dir;
        wikiFolder(
            dir, {{"wiki.train.tokens", "first line\nthe caf\xC3 was \xFF\xFE open\nlast \xE2\x82 line\n"}});
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        TextCleanReport report;
        const std::string text = readSplit(corpus, Split::Train, &report);
        QCOMPARE(text, std::string("first line\nthe caf\uFFFD was \uFFFD\uFFFD open\nlast \uFFFD line\n"));
        QCOMPARE(report.replacedSequences, size_t{4});
        QCOMPARE(report.firstReplacedLine, size_t{2});
    }

    void hugeSingleLine() {
        // 50 MB without a line end: reading, training input and encoding must all finish.
        QTemporaryDir dir;
        const char* words[] = {"the ", "river ", "flows ", "north ", "through ", "1987 ", "valleys ", "and "};
        QByteArray line;
        line.reserve(50 * 1000 * 1000 + 16);
        std::mt19937 generator(3);
        while (line.size() < 50 * 1000 * 1000) line += words[generator() % 8];
        writeFile(dir.filePath("train.txt"), line);
        writeFile(dir.filePath("valid.txt"), "the river flows north\n");
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        QElapsedTimer timer;
        timer.start();
        const std::string text = readSplit(corpus, Split::Train);
        QCOMPARE(qint64(text.size()), qint64(line.size()));
        qInfo() << "read 50 MB line in" << timer.restart() << "ms";

        // Given straight to the trainer, the line is skipped and nothing usable is left: a clear error.
        const QString file = dir.filePath("train.txt");
        DATA_EXPECT_ERROR(errorOf([&] { Tokenizer::train(str(file), str(dir.filePath("direct")), 300, 2); }),
                          file, "training the tokenizer failed", "longer than 65,536 bytes");
        qInfo() << "direct training refused in" << timer.restart() << "ms";

        // prepareCorpus breaks it into short lines first, so training uses all of it.
        const std::string input = str(dir.filePath("input.txt"));
        writeTrainingInput(text, input);
        const Tokenizer tokenizer = Tokenizer::train(input, str(dir.filePath("model")), 300, 2);
        qInfo() << "trained on the split line in" << timer.restart() << "ms";

        const std::vector<int32_t> ids = encodeParallel(tokenizer, text, 2);
        qInfo() << "encoded 50 MB line into" << ids.size() << "tokens in" << timer.restart() << "ms";
        QVERIFY(ids.size() > 5'000'000);
        // Decoding all 50 MB takes as long again; a 1M-token prefix shows the ids are right.
        const std::string prefix =
            tokenizer.decode(std::vector<int32_t>(ids.begin(), ids.begin() + 1'000'000));
        QVERIFY(prefix.size() > 1'000'000 && text.compare(0, prefix.size(), prefix) == 0);
    }

    void unreadableFile() {
        QTemporaryDir dir;
        wikiFolder(dir, {{"wiki.train.tokens", "secret text\n"}, {"wiki.valid.tokens", "valid\n"}});
        const QString file = dir.filePath("wiki.train.tokens");
        if (::geteuid() == 0) {
            // root reads files whatever their mode, so chmod 000 proves nothing: use an unreadable entry
            // of another kind — a folder where the file should be.
            QVERIFY(QFile::remove(file));
            QVERIFY(QDir(dir.path()).mkdir("wiki.train.tokens"));
            const CorpusInfo corpus = detectCorpus(str(dir.path()));
            DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Train); }), file, "is a directory");
            return;
        }
        QVERIFY(QFile::setPermissions(file, QFileDevice::Permissions()));  // chmod 000
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Train); }), file, "cannot be read",
                          "Permission denied");
        QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }

    void directoryInPlaceOfFile() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("wiki.valid.raw"));
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Valid); }), dir.filePath("wiki.valid.raw"),
                          "is a directory");
    }
};

QTEST_GUILESS_MAIN(TestDataBadInput)
#include "test_data_bad_input.moc"
