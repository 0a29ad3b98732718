// The sentencepiece tokenizer through the run-time-loaded shim, trained on the real WikiText-2 train
// split, in a process that also has LibTorch (and its libprotobuf) loaded.
#include <torch/torch.h>

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <type_traits>

#include "core/data/Corpus.h"
#include "core/data/ParallelEncode.h"
#include "core/data/SpmLibrary.h"
#include "core/data/TextChunks.h"
#include "core/data/Tokenizer.h"
#include "core/data/TrainingInput.h"
#include "tests/TestSupport.h"
#include "tests/test_data_support.h"

using namespace needlescope;
using datatest::errorOf;
using datatest::str;
using datatest::writeFile;

static_assert(!std::is_copy_constructible_v<Tokenizer> && !std::is_copy_assignable_v<Tokenizer>);
static_assert(std::is_nothrow_move_constructible_v<Tokenizer> &&
              std::is_nothrow_move_assignable_v<Tokenizer>);

class TestDataTokenizer : public QObject {
    Q_OBJECT

    static constexpr int kVocab = 1000;
    QTemporaryDir scratch_;
    Tokenizer tokenizer_;
    std::string valid_;

  private Q_SLOTS:
    void initTestCase() {
        const CorpusInfo corpus = detectCorpus(str(testsupport::wikitext2Tokens()));
        const std::string input = str(scratch_.filePath("train-input.txt"));
        writeTrainingInput(readSplit(corpus, Split::Train), input);
        QElapsedTimer timer;
        timer.start();
        const int64_t runsBefore = Tokenizer::trainCount();
        tokenizer_ = Tokenizer::train(input, str(scratch_.filePath("wt2")), kVocab, 2);
        QCOMPARE(Tokenizer::trainCount(), runsBefore + 1);
        qInfo() << "trained a" << kVocab << "piece tokenizer on wiki.train.tokens in" << timer.elapsed()
                << "ms";
        valid_ = readSplit(corpus, Split::Valid);
    }

    void reportsVocabularyAndSpecialIds() {
        QCOMPARE(tokenizer_.vocabSize(), kVocab);
        QCOMPARE(tokenizer_.bosId(), 1);
        QCOMPARE(tokenizer_.idToPiece(0), std::string("<unk>"));
        QCOMPARE(tokenizer_.idToPiece(1), std::string("<s>"));
        QCOMPARE(tokenizer_.idToPiece(2), std::string("</s>"));
        QCOMPARE(tokenizer_.pieceToId("<0x0A>"), 3 + 0x0A);  // byte pieces follow the three specials
        QCOMPARE(tokenizer_.pieceToId("no-such-piece-here"), 0);
        QVERIFY(QFile::exists(QString::fromStdString(tokenizer_.modelPath())));
        for (int32_t id = 0; id < kVocab; id += 111)
            QCOMPARE(tokenizer_.pieceToId(tokenizer_.idToPiece(id)), id);
    }

    void encodesValidSplitPlausibly() {
        QElapsedTimer timer;
        timer.start();
        const std::vector<int32_t> ids = encodeParallel(tokenizer_, valid_, 2);
        const qint64 ms = timer.elapsed();
        const size_t words = QString::fromStdString(valid_).split(' ', Qt::SkipEmptyParts).size();
        const double bytesPerToken = double(valid_.size()) / double(ids.size());
        qInfo() << "wiki.valid.tokens:" << valid_.size() << "bytes," << words << "words ->" << ids.size()
                << "tokens (" << bytesPerToken << "bytes/token) in" << ms << "ms";
        QVERIFY(ids.size() > words && ids.size() < 3 * words);
        QVERIFY(bytesPerToken > 1.5 && bytesPerToken < 5.0);
        for (const int32_t id : ids) QVERIFY(id >= 0 && id < kVocab);
    }

    void roundTripsSampleLines() {
        const QStringList lines = QString::fromStdString(valid_).split('\n');
        int checked = 0;
        for (int i = 0; i < lines.size(); i += 37) {
            const std::string line = lines[i].toStdString();
            QCOMPARE(tokenizer_.decode(tokenizer_.encode(line)), line);
            ++checked;
        }
        const std::vector<std::string> awkward = {
            "",
            "  two  spaces  ",
            "tab\there",
            "new\nline\n",
            "digits 8675309 split",
            "Zürich — 東京 🙂 naïve",
            "<unk> @-@ tokens",
            "\r\n carriage",
        };
        for (const std::string& text : awkward) QCOMPARE(tokenizer_.decode(tokenizer_.encode(text)), text);
        qInfo() << "round-tripped" << checked << "valid lines and" << awkward.size() << "awkward strings";
    }

    void roundTripsWholeSplit() {
        const std::vector<int32_t> ids = encodeParallel(tokenizer_, valid_, 2);
        QVERIFY(tokenizer_.decode(ids) == valid_);
    }

    void parallelEncodingEqualsSerial() {
        const std::vector<int32_t> serial = tokenizer_.encode(valid_);
        QVERIFY(encodeParallel(tokenizer_, valid_, 1) == serial);
        QVERIFY(encodeParallel(tokenizer_, valid_, 2) == serial);
        QVERIFY(encodeParallel(tokenizer_, valid_, 5) == serial);
    }

    void splitsTextAtLineEndsAndSpaces() {
        const std::string text = "alpha beta\ngamma delta epsilon " + std::string(40, 'z') + " end";
        const std::vector<std::string_view> pieces = splitForEncoding(text, 16, 64);
        std::string joined;
        for (const std::string_view piece : pieces) joined += piece;
        QCOMPARE(joined, text);
        QCOMPARE(std::string(pieces[0]), std::string("alpha beta\n"));  // after the line end
        QCOMPARE(std::string(pieces[1]), std::string("gamma delta"));   // before a space
        QCOMPARE(std::string(pieces[2]), std::string(" epsilon"));
        QCOMPARE(std::string(pieces[3]), " " + std::string(40, 'z'));  // runs on to the next space
        const std::string noSpaces(100, 'q');
        QCOMPARE(splitForEncoding(noSpaces, 16, 64).front().size(), size_t{64});  // hard cut at maxBytes
    }

    void longWordsRoundTrip() {
        const std::string text = "start " + std::string(5000, 'x') + " é" + std::string(3000, 'y') + "\n";
        QCOMPARE(tokenizer_.decode(tokenizer_.encode(text)), text);
        QVERIFY(encodeParallel(tokenizer_, text, 2) == tokenizer_.encode(text));
    }

    void concatenatedIdsDecodeToConcatenatedText() {
        // The needle probe splices the ids of separately encoded pieces of text.
        const std::string a = " = Homarus gammarus = \n The special magic number for Oslo";
        const std::string b = " is 4021337. More text follows.\n";
        std::vector<int32_t> ids = tokenizer_.encode(a);
        const std::vector<int32_t> tail = tokenizer_.encode(b);
        ids.insert(ids.end(), tail.begin(), tail.end());
        QCOMPARE(tokenizer_.decode(ids), a + b);
    }

    void digitsAreOneTokenEach() { QCOMPARE(tokenizer_.encode("4021337").size(), size_t{7}); }

    void malformedUtf8EncodesWithoutCrashing() {
        const std::string bad = "ok \xFF\xFE then \xC3 and \xE2\x82";
        const std::vector<int32_t> ids = tokenizer_.encode(bad);
        QVERIFY(!ids.empty());
        // sentencepiece replaces each malformed byte (readSplit, which cleans corpus text first, replaces
        // each maximal malformed subsequence instead).
        QCOMPARE(tokenizer_.decode(ids), std::string("ok \uFFFD\uFFFD then \uFFFD and \uFFFD\uFFFD"));
    }

    void rejectsIdsOutsideTheVocabulary() {
        DATA_EXPECT_ERROR(errorOf([&] {
                              tokenizer_.decode({5, -1});
                          }),
                          "token id -1", "outside the vocabulary");
        DATA_EXPECT_ERROR(errorOf([&] { tokenizer_.decode({kVocab}); }), "token id 1000",
                          "outside the vocabulary");
        DATA_EXPECT_ERROR(errorOf([&] { tokenizer_.idToPiece(kVocab + 5); }), "outside the vocabulary");
    }

    void isMoveOnly() {
        Tokenizer moved = Tokenizer::load(tokenizer_.modelPath());
        Tokenizer target = std::move(moved);
        QVERIFY(moved.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
        QCOMPARE(target.vocabSize(), kVocab);
        DATA_EXPECT_ERROR(errorOf([&] { moved.encode("x"); }), "tokenizer is empty");
    }

    void loadRejectsMissingAndGarbageModels() {
        const QString missing = scratch_.filePath("missing.model");
        DATA_EXPECT_ERROR(errorOf([&] { Tokenizer::load(str(missing)); }), missing, "not found");
        const QString garbage = scratch_.filePath("garbage.model");
        writeFile(garbage, QByteArray(4096, '\x7f'));
        DATA_EXPECT_ERROR(errorOf([&] { Tokenizer::load(str(garbage)); }), garbage,
                          "not a usable tokenizer model");
    }

    void trainRejectsBadArguments() {
        const QString input = scratch_.filePath("train-input.txt");
        DATA_EXPECT_ERROR(errorOf([&] { Tokenizer::train(str(input), str(scratch_.filePath("x")), 100); }),
                          "vocabulary size 100", "too small");
        const QString missing = scratch_.filePath("absent.txt");
        DATA_EXPECT_ERROR(errorOf([&] { Tokenizer::train(str(missing), str(scratch_.filePath("x")), 500); }),
                          missing, "not found");
    }

    void worksWithLibTorchLoaded() {
        // Both protobuf copies are in this process: LibTorch's libprotobuf and the one inside
        // libsentencepiece, which only the shim (opened with RTLD_DEEPBIND) sees.
        const torch::Tensor before = torch::arange(6, torch::kFloat).reshape({2, 3});  // [2, 3]
        const std::vector<int32_t> ids = tokenizer_.encode("Torch and sentencepiece share a process.");
        const torch::Tensor tokens = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()));  // [N]
        QCOMPARE(tokens.size(0), int64_t(ids.size()));
        QCOMPARE(before.sum().item<float>(), 15.0f);
        const QByteArray maps = datatest::readFile("/proc/self/maps");
        QVERIFY2(maps.contains("libprotobuf.so"), "LibTorch's libprotobuf is expected to be loaded");
        QVERIFY2(maps.contains("libneedlescope_spm"), "the shim is expected to be loaded");
        qInfo() << "shim loaded from" << QString::fromStdString(spmApi().path);
    }
};

QTEST_GUILESS_MAIN(TestDataTokenizer)
#include "test_data_tokenizer.moc"
