// Corpus layout detection, reading splits as clean UTF-8, the data search order and the cache folder.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cstdlib>

#include "core/data/Corpus.h"
#include "core/data/DataLocator.h"
#include "tests/TestSupport.h"
#include "tests/test_data_support.h"

using namespace needlescope;
using datatest::errorOf;
using datatest::str;
using datatest::writeFile;

class TestDataCorpus : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void detectsWikiTextTokens() {
        const CorpusInfo corpus = detectCorpus(str(testsupport::wikitext2Tokens()));
        QCOMPARE(int(corpus.layout), int(CorpusLayout::WikiTextTokens));
        QVERIFY(corpus.has(Split::Train) && corpus.has(Split::Valid) && corpus.has(Split::Test));
        QVERIFY(QString::fromStdString(corpus.files.at(Split::Valid)).endsWith("wiki.valid.tokens"));
        qInfo().noquote() << QString::fromStdString(corpus.describe());
        QVERIFY(QString::fromStdString(corpus.describe()).contains("WikiText (tokens)"));
    }

    void detectsWikiTextRawWithoutTrain() {
        // The shared raw copy holds only valid and test (see ../shared/data/README.md).
        const CorpusInfo corpus = detectCorpus(str(testsupport::wikitext2Raw()));
        QCOMPARE(int(corpus.layout), int(CorpusLayout::WikiTextRaw));
        QVERIFY(!corpus.has(Split::Train));
        QVERIFY(corpus.has(Split::Valid) && corpus.has(Split::Test));
        QVERIFY(QString::fromStdString(corpus.describe()).contains("missing: train"));
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Train); }), "wiki.train.raw", "missing");
    }

    void readsSplitAsUnchangedUtf8() {
        const CorpusInfo corpus = detectCorpus(str(testsupport::wikitext2Raw()));
        TextCleanReport report;
        const std::string text = readSplit(corpus, Split::Valid, &report);
        QCOMPARE(qint64(text.size()), qint64(1146846));  // README: valid text, LF, no BOM → unchanged
        QCOMPARE(report.replacedSequences, size_t{0});
        QCOMPARE(text.substr(0, 24), std::string(" \n = Homarus gammarus = "));
    }

    void prefersLayoutWithTrainSplit() {
        QTemporaryDir dir;
        writeFile(dir.filePath("wiki.valid.raw"), "raw valid\n");
        writeFile(dir.filePath("wiki.train.tokens"), "tokens train\n");
        writeFile(dir.filePath("wiki.valid.tokens"), "tokens valid\n");
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        QCOMPARE(int(corpus.layout), int(CorpusLayout::WikiTextTokens));
        QCOMPARE(readSplit(corpus, Split::Train), std::string("tokens train\n"));
    }

    void detectsPlainDirectory() {
        QTemporaryDir dir;
        writeFile(dir.filePath("train.txt"), "some training text\n");
        writeFile(dir.filePath("validation.txt"), "held out\n");
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        QCOMPARE(int(corpus.layout), int(CorpusLayout::PlainDirectory));
        QVERIFY(corpus.has(Split::Train) && corpus.has(Split::Valid) && !corpus.has(Split::Test));
        QCOMPARE(readSplit(corpus, Split::Valid), std::string("held out\n"));
    }

    void plainFileHoldsOutTheLastLines() {
        QTemporaryDir dir;
        QByteArray text;
        for (int i = 0; i < 200; ++i) text += "line number " + QByteArray::number(i) + "\n";
        writeFile(dir.filePath("corpus.txt"), text);
        const CorpusInfo corpus = detectCorpus(str(dir.filePath("corpus.txt")));
        QCOMPARE(int(corpus.layout), int(CorpusLayout::PlainFile));
        const std::string train = readSplit(corpus, Split::Train);
        const std::string valid = readSplit(corpus, Split::Valid);
        QCOMPARE(QByteArray::fromStdString(train + valid), text);
        QVERIFY(!valid.empty() && qsizetype(valid.size()) < text.size() / 10);
        QCOMPARE(train.back(), '\n');  // the cut is at a line end
        DATA_EXPECT_ERROR(errorOf([&] { readSplit(corpus, Split::Test); }), "corpus.txt",
                          "only train and valid");
    }

    void findsCorpusInSubfolder() {
        // Unpacking wikitext-2-raw-v1.zip into a folder creates wikitext-2-raw/ inside it.
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("wikitext-2-raw"));
        writeFile(dir.filePath("wikitext-2-raw/wiki.train.raw"), "train\n");
        writeFile(dir.filePath("wikitext-2-raw/wiki.valid.raw"), "valid\n");
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        QCOMPARE(int(corpus.layout), int(CorpusLayout::WikiTextRaw));
        QVERIFY(QString::fromStdString(corpus.root).endsWith("wikitext-2-raw"));
    }

    void folderWithoutCorpusIsAnError() {
        QTemporaryDir dir;
        writeFile(dir.filePath("notes.md"), "nothing here\n");
        DATA_EXPECT_ERROR(errorOf([&] { detectCorpus(str(dir.path())); }), dir.path(), "no corpus found",
                          "wiki.train.raw");
    }

    void cleansByteOrderMarkAndCrlf() {
        QTemporaryDir dir;
        writeFile(dir.filePath("train.txt"), "\xEF\xBB\xBFone\r\ntwo\r\n");
        const CorpusInfo corpus = detectCorpus(str(dir.path()));
        QCOMPARE(readSplit(corpus, Split::Train), std::string("one\ntwo\n"));
    }

    void locateDataTakesTheFirstCorpus() {
        QTemporaryDir empty;
        const std::string tokens = str(testsupport::wikitext2Tokens());
        const std::string raw = str(testsupport::wikitext2Raw());
        QCOMPARE(locateData({tokens, raw, raw, raw}), tokens);
        QCOMPARE(locateData({"", raw, tokens, tokens}), raw);
        QCOMPARE(locateData({"", str(empty.path()), tokens, raw}), tokens);
        QCOMPARE(locateData({"", "", "/no/such/place", raw}), raw);
    }

    void explicitFlagWithoutCorpusIsAnError() {
        const QString message = errorOf([&] {
            locateData({"/no/such/data", "", "", str(testsupport::wikitext2Tokens())});
        });
        DATA_EXPECT_ERROR(message, "--data", "/no/such/data", "no such file or folder", "fetch-wikitext.sh");
    }

    void nothingFoundListsEveryPlace() {
        QTemporaryDir empty;
        const QString message = errorOf([&] { locateData({"", "/env/place", "", str(empty.path())}); });
        DATA_EXPECT_ERROR(message, "No training data found", "NEEDLESCOPE_DATA: /env/place",
                          "saved setting: not set", "default folder: " + empty.path(),
                          "packaging/fetch-wikitext.sh");
    }

    void searchReadsNeedlescopeData() {
        qputenv("NEEDLESCOPE_DATA", "/from/env");
        const DataSearch search = dataSearchWithEnvironment("", "saved", "default");
        qunsetenv("NEEDLESCOPE_DATA");
        QCOMPARE(search.env, std::string("/from/env"));
        QCOMPARE(search.setting, std::string("saved"));
    }

    void defaultCacheDirFollowsXdg() {
        const QByteArray savedXdg = qgetenv("XDG_CACHE_HOME");
        const QByteArray savedHome = qgetenv("HOME");
        qputenv("XDG_CACHE_HOME", "/xdg/cache");
        QCOMPARE(defaultCacheDir(), std::string("/xdg/cache/needlescope"));
        qunsetenv("XDG_CACHE_HOME");
        qputenv("HOME", "/home/someone");
        QCOMPARE(defaultCacheDir(), std::string("/home/someone/.cache/needlescope"));
        if (!savedXdg.isNull()) qputenv("XDG_CACHE_HOME", savedXdg);
        qputenv("HOME", savedHome);
    }
};

QTEST_GUILESS_MAIN(TestDataCorpus)
#include "test_data_corpus.moc"
