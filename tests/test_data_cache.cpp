// The token cache: a second prepareCorpus loads without retraining; damaged cache files are detected
// and rebuilt; the binary token-file format rejects truncation and corruption.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "core/data/Corpus.h"
#include "core/data/TokenCache.h"
#include "core/data/TokenFile.h"
#include "tests/TestSupport.h"
#include "tests/test_data_support.h"

using namespace needlescope;
using datatest::errorOf;
using datatest::readFile;
using datatest::str;
using datatest::writeFile;

class TestDataCache : public QObject {
    Q_OBJECT

    QTemporaryDir corpusDir_;
    CorpusInfo corpus_;
    TokenizerSettings settings_{500, 2};

    // A fresh cache folder prepared once, so each test starts from a complete cache.
    static PreparedCorpus prepare(const CorpusInfo& corpus, const TokenizerSettings& settings,
                                  const QString& cache) {
        return prepareCorpus(corpus, settings, str(cache));
    }

    static QString cacheFile(const PreparedCorpus& prepared, const QString& name) {
        return QDir(QString::fromStdString(prepared.cacheFolder)).filePath(name);
    }

    static QString notes(const PreparedCorpus& prepared) {
        QString all;
        for (const auto& note : prepared.cacheNotes) all += QString::fromStdString(note) + "\n";
        return all;
    }

  private Q_SLOTS:
    void initTestCase() {
        // A small plain corpus cut from the WikiText-2 valid split keeps these tests fast.
        const std::string valid = readSplit(detectCorpus(str(testsupport::wikitext2Tokens())), Split::Valid);
        const size_t trainEnd = valid.find('\n', valid.size() * 7 / 10) + 1;
        const size_t validEnd = valid.find('\n', valid.size() * 9 / 10) + 1;
        writeFile(corpusDir_.filePath("train.txt"), QByteArray::fromStdString(valid.substr(0, trainEnd)));
        writeFile(corpusDir_.filePath("valid.txt"),
                  QByteArray::fromStdString(valid.substr(trainEnd, validEnd - trainEnd)));
        writeFile(corpusDir_.filePath("test.txt"), QByteArray::fromStdString(valid.substr(validEnd)));
        corpus_ = detectCorpus(str(corpusDir_.path()));
    }

    void secondPrepareLoadsFromCache() {
        QTemporaryDir cache;
        QStringList stages;
        const int64_t runs = Tokenizer::trainCount();
        const PreparedCorpus first = prepareCorpus(corpus_, settings_, str(cache.path()),
                                                   [&](const std::string& stage, double fraction) {
                                                       QVERIFY(fraction >= 0.0 && fraction <= 1.0);
                                                       if (!stages.contains(QString::fromStdString(stage)))
                                                           stages << QString::fromStdString(stage);
                                                   });
        QVERIFY(!first.fromCache && first.trainedTokenizer);
        QCOMPARE(Tokenizer::trainCount(), runs + 1);
        QVERIFY(!first.train.empty() && !first.valid.empty() && !first.test.empty());
        QCOMPARE(first.tokenizer.vocabSize(), 500);
        qInfo() << "stages:" << stages;
        for (const char* stage :
             {"Reading corpus", "Training tokenizer", "Encoding train split", "Encoding valid split"})
            QVERIFY2(stages.contains(stage), stage);
        for (const char* name : {"tokenizer.model", "train.ids", "valid.ids", "test.ids"})
            QVERIFY2(QFile::exists(cacheFile(first, name)), name);

        const PreparedCorpus second = prepare(corpus_, settings_, cache.path());
        QVERIFY2(second.fromCache, qPrintable(notes(second)));
        QVERIFY(!second.trainedTokenizer);
        QCOMPARE(Tokenizer::trainCount(), runs + 1);  // no retraining
        QCOMPARE(second.cacheKey, first.cacheKey);
        QVERIFY(second.train == first.train && second.valid == first.valid && second.test == first.test);
        QVERIFY(second.tokenizer.encode("A lobster") == first.tokenizer.encode("A lobster"));
    }

    void corruptedIdsFileIsRebuilt() {
        QTemporaryDir cache;
        const PreparedCorpus first = prepare(corpus_, settings_, cache.path());
        const QString file = cacheFile(first, "valid.ids");
        QByteArray bytes = readFile(file);
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x40);  // one flipped bit in the ids
        writeFile(file, bytes);

        const int64_t runs = Tokenizer::trainCount();
        const PreparedCorpus second = prepare(corpus_, settings_, cache.path());
        qInfo().noquote() << notes(second);
        QVERIFY(!second.fromCache && !second.trainedTokenizer);
        QCOMPARE(Tokenizer::trainCount(), runs);  // the intact model is kept; only valid is re-encoded
        QVERIFY(notes(second).contains("valid.ids") && notes(second).contains("checksum mismatch"));
        QVERIFY(second.valid == first.valid);
        QVERIFY(prepare(corpus_, settings_, cache.path()).fromCache);  // repaired for the next start
    }

    void truncatedIdsFileIsRebuilt() {
        QTemporaryDir cache;
        const PreparedCorpus first = prepare(corpus_, settings_, cache.path());
        const QString file = cacheFile(first, "train.ids");
        QVERIFY(QFile::resize(file, QFileInfo(file).size() / 2));
        const PreparedCorpus second = prepare(corpus_, settings_, cache.path());
        QVERIFY(!second.fromCache);
        QVERIFY(notes(second).contains("train.ids") && notes(second).contains("truncated"));
        QVERIFY(second.train == first.train);
    }

    void corruptedModelIsRetrained() {
        QTemporaryDir cache;
        const PreparedCorpus first = prepare(corpus_, settings_, cache.path());
        writeFile(cacheFile(first, "tokenizer.model"), QByteArray(1000, 'x'));
        const int64_t runs = Tokenizer::trainCount();
        const PreparedCorpus second = prepare(corpus_, settings_, cache.path());
        qInfo().noquote() << notes(second);
        QVERIFY(second.trainedTokenizer && !second.fromCache);
        QCOMPARE(Tokenizer::trainCount(), runs + 1);
        QVERIFY(notes(second).contains("tokenizer.model"));
        QVERIFY(second.train == first.train);  // training is deterministic
    }

    void keyFollowsSettingsAndText() {
        const std::map<Split, std::string> texts = {{Split::Train, "abc\n"}, {Split::Valid, "def\n"}};
        const std::string key = tokenCacheKey(texts, {8192, 0});
        QCOMPARE(key.size(), size_t{16});
        QCOMPARE(tokenCacheKey(texts, {8192, 4}), key);  // thread count does not change the result
        QVERIFY(tokenCacheKey(texts, {4096, 0}) != key);
        QVERIFY(tokenCacheKey({{Split::Train, "abc\n"}, {Split::Valid, "deg\n"}}, {8192, 0}) != key);
        QVERIFY(tokenCacheKey({{Split::Train, "abc\nd"}, {Split::Valid, "ef\n"}}, {8192, 0}) != key);
    }

    void tokenFileRoundTripsAndRejectsDamage() {
        QTemporaryDir dir;
        const std::string path = str(dir.filePath("t.ids"));
        const std::vector<int32_t> ids = {0, 1, 2, 3, 999, 123456, -7};
        writeTokenFile(path, ids, 0xABCDEF);
        const TokenFile read = readTokenFile(path);
        QVERIFY(read.ids == ids);
        QCOMPARE(read.modelHash, uint64_t{0xABCDEF});

        writeTokenFile(path, {}, 1);
        QVERIFY(readTokenFile(path).ids.empty());

        writeTokenFile(path, ids, 1);
        QByteArray bytes = readFile(QString::fromStdString(path));
        writeFile(QString::fromStdString(path), bytes + "xxxx");
        DATA_EXPECT_ERROR(errorOf([&] { readTokenFile(path); }), QString::fromStdString(path), "over-long");
        writeFile(QString::fromStdString(path), bytes.left(20));
        DATA_EXPECT_ERROR(errorOf([&] { readTokenFile(path); }), "truncated");
        QByteArray header = bytes;
        header[17] = char(header[17] ^ 1);  // the id count
        writeFile(QString::fromStdString(path), header);
        DATA_EXPECT_ERROR(errorOf([&] { readTokenFile(path); }), "header checksum mismatch");
        writeFile(QString::fromStdString(path), "GIF89a" + QByteArray(60, '\0'));
        DATA_EXPECT_ERROR(errorOf([&] { readTokenFile(path); }), "not a Needlescope token file");
        DATA_EXPECT_ERROR(errorOf([&] { readTokenFile(str(dir.filePath("none.ids"))); }), "none.ids",
                          "not found");
    }

    void preparesRealWikiText2() {
        QTemporaryDir cache;
        const CorpusInfo corpus = detectCorpus(str(testsupport::wikitext2Tokens()));
        QElapsedTimer timer;
        timer.start();
        const PreparedCorpus first = prepareCorpus(corpus, {1000, 2}, str(cache.path()));
        const qint64 coldMs = timer.restart();
        const PreparedCorpus second = prepareCorpus(corpus, {1000, 2}, str(cache.path()));
        const qint64 warmMs = timer.elapsed();
        qInfo() << "wikitext-2-v1, vocab 1000: train" << first.train.size() << "valid" << first.valid.size()
                << "test" << first.test.size() << "tokens; cold" << coldMs << "ms, cached" << warmMs << "ms";
        QVERIFY(first.trainedTokenizer && second.fromCache);
        QVERIFY(second.train == first.train);
        QVERIFY(first.train.size() > 2'000'000 && first.train.size() < 6'000'000);
        QVERIFY(first.valid.size() > 200'000 && first.test.size() > 200'000);
    }
};

QTEST_GUILESS_MAIN(TestDataCache)
#include "test_data_cache.moc"
