// InspectionSession (core/probe/Inspection.h), the plain-data API behind the Inspect and Compare views, on
// a tiny trained paired run: exact spans (decode back to the needle, number and question), rows that sum to
// 1 (standard) and 1 − λ (DIFF effective), a needle that moves with the depth, maps, buckets and retrieval
// that match the model's own capture and greedy decoding, custom needle texts, row limits for long
// contexts, clear errors and stored-probe curves. (The time one placement takes is a benchmark, not a
// test: `needlescope-cli bench probe`.)
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "TestSupport.h"
#include "core/probe/Haystack.h"
#include "core/probe/Inspection.h"
#include "core/probe/Probe.h"
#include "core/probe/Retrieval.h"
#include "core/probe/TrainingProbe.h"
#include "core/store/RunStore.h"
#include "core/train/Checkpoint.h"
#include "core/train/Experiment.h"
#include "core/train/TrainConfig.h"
#include "core/util/Error.h"

using namespace needlescope;

namespace {

std::string decodeSpan(const Tokenizer& tokenizer, const InspectionResult& r, const TokenSpan& s) {
    return tokenizer.decode(std::vector<int32_t>(r.tokens.begin() + s.begin, r.tokens.begin() + s.end));
}

}  // namespace

class TestInspection : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string db_, corpus_, tokenizerModel_;
    std::vector<int64_t> runIds_;
    std::vector<std::string> checkpoints_;  // standard, diff (final)
    std::unique_ptr<Tokenizer> tokenizer_;
    InspectionSession session_;

    InspectionRequest request(size_t model, double depth, int64_t context = 0) const {
        InspectionRequest r;
        r.checkpointPath = checkpoints_[model];
        r.tokenizerModel = tokenizerModel_;
        r.dataRoot = corpus_;
        r.depth = depth;
        r.contextLength = context;
        return r;
    }

    QString errorOf(const InspectionRequest& r) {
        try {
            session_.inspect(r);
        } catch (const Error& e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const QString corpus = QDir(dir_.path()).filePath("corpus");
        if (!testsupport::makeSmallCorpus(corpus)) QSKIP("shared WikiText data not found");
        TrainConfig config = loadPreset("tiny");
        config.model.maxContext = 128;  // room for a needle, its question and some haystack
        config.threads = 2;
        config.probeEvery = 15;  // stored probes at steps 15 and 30, for probeCurve
        config.probeSamples = 2;
        ExperimentPaths paths;
        paths.dataDir = corpus.toStdString();
        paths.dbPath = QDir(dir_.path()).filePath("runs.db").toStdString();
        paths.checkpointDir = QDir(dir_.path()).filePath("checkpoints").toStdString();
        paths.cacheDir = QDir(dir_.path()).filePath("cache").toStdString();
        TrainingProbeSettings probe;
        probe.dbPath = paths.dbPath;
        probe.options.depths = {0, 50, 100};
        Experiment experiment(config, paths, nullptr, nullptr, makeTrainingProbeHooks(probe));
        QCOMPARE(experiment.run(), RunStatus::Finished);
        runIds_ = experiment.runIds();
        QCOMPARE(runIds_.size(), size_t(2));
        db_ = paths.dbPath;
        RunStore store = RunStore::open(db_, true);
        const auto cfg = nlohmann::json::parse(store.run(runIds_[0]).configJson);
        tokenizerModel_ = cfg.at("tokenizer_model").get<std::string>();
        corpus_ = cfg.at("data").at("root").get<std::string>();
        for (int64_t id : runIds_) checkpoints_.push_back(store.checkpoints(id).back().path);
        tokenizer_ = std::make_unique<Tokenizer>(Tokenizer::load(tokenizerModel_));
    }

    void spansDecodeToNeedleNumberAndQuestion() {
        for (size_t m = 0; m < 2; ++m) {
            for (double depth : {0.0, 37.0, 100.0}) {
                const InspectionResult r = session_.inspect(request(m, depth));
                QCOMPARE(r.kind, std::string(m == 0 ? "standard" : "diff"));
                QCOMPARE(int64_t(r.tokens.size()), r.contextLength);
                QCOMPARE(r.pieces.size(), r.tokens.size());
                QCOMPARE(r.contextLength, r.maxPromptLength);  // 0 asks for the longest that fits
                QVERIFY(r.maxPromptLength <= 128);
                QCOMPARE(r.sink.begin, int64_t(0));
                QCOMPARE(r.sink.end, int64_t(1));
                QCOMPARE(r.queryRow, r.contextLength - 1);
                QCOMPARE(r.question.end, r.contextLength);
                // The answer span is exactly the 7-digit number, the needle span the whole sentence.
                const std::string number = decodeSpan(*tokenizer_, r, r.answer);
                QCOMPARE(number, r.answerText);
                QCOMPARE(int(number.size()), 7);
                QVERIFY(
                    std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }));
                QCOMPARE(decodeSpan(*tokenizer_, r, r.needle), " " + r.needleText);
                QVERIFY(r.needleText.find(number) != std::string::npos);
                QVERIFY(r.needleText.rfind("The special magic number for ", 0) == 0);
                QCOMPARE(decodeSpan(*tokenizer_, r, r.question), " " + r.questionText);
                QVERIFY(r.answer.begin >= r.needle.begin && r.answer.end <= r.needle.end);
                // Each piece is its token decoded alone.
                for (size_t i = 0; i < r.tokens.size(); i += 7)
                    QCOMPARE(r.pieces[i], tokenizer_->decode({r.tokens[i]}));
                // Short context: every query row, in order.
                QCOMPARE(r.rows, r.contextLength);
                QCOMPARE(r.cols, r.contextLength);
                QCOMPARE(r.queryRowIndex, r.rows - 1);
                QCOMPARE(r.rowPositions.back(), r.queryRow);
                // Retrieval text is what the greedy tokens decode to.
                QCOMPARE(r.greedyText, tokenizer_->decode(r.greedyTokens));
                QVERIFY(!r.greedyTokens.empty());
            }
        }
    }

    void rowsSumToOneOrOneMinusLambda() {
        for (size_t m = 0; m < 2; ++m) {
            const InspectionResult r = session_.inspect(request(m, 50));
            QCOMPARE(r.diff, m == 1);
            QCOMPARE(int64_t(r.effective.size()), r.layers * r.heads * r.rows * r.cols);
            if (r.diff) {
                QCOMPARE(int64_t(r.lambdas.size()), r.layers);
                QCOMPARE(r.a1.size(), r.effective.size());
                QCOMPARE(r.a2.size(), r.effective.size());
            } else {
                QVERIFY(r.a1.empty() && r.lambdas.empty());
            }
            bool sawNegative = false;
            for (int64_t l = 0; l < r.layers; ++l)
                for (int64_t h = 0; h < r.heads; ++h)
                    for (int64_t i = 0; i < r.rows; ++i) {
                        const float* row = r.row(MapKind::Effective, l, h, i);
                        QVERIFY(row);
                        const int64_t q = r.rowPositions[size_t(i)];
                        double sum = 0;
                        for (int64_t k = 0; k < r.cols; ++k) {
                            sum += row[k];
                            if (k > q) QCOMPARE(row[k], 0.0f);  // causal: no key after the query
                            sawNegative = sawNegative || row[k] < 0;
                        }
                        const double expected = r.diff ? 1.0 - r.lambdas[size_t(l)] : 1.0;
                        if (std::fabs(sum - expected) > 1e-4)
                            QFAIL(qPrintable(QString("layer %1 head %2 row %3 sums to %4, expected %5")
                                                 .arg(l)
                                                 .arg(h)
                                                 .arg(q)
                                                 .arg(sum)
                                                 .arg(expected)));
                        if (r.diff) {  // effective = A1 − λ·A2, and both components are softmax rows
                            const float* a1 = r.row(MapKind::A1, l, h, i);
                            const float* a2 = r.row(MapKind::A2, l, h, i);
                            double s1 = 0, s2 = 0;
                            for (int64_t k = 0; k < r.cols; ++k) {
                                s1 += a1[k];
                                s2 += a2[k];
                                QVERIFY(std::fabs(row[k] - (a1[k] - r.lambdas[size_t(l)] * a2[k])) < 1e-5);
                            }
                            QVERIFY(std::fabs(s1 - 1) < 1e-4 && std::fabs(s2 - 1) < 1e-4);
                        }
                    }
            QCOMPARE(sawNegative, r.diff);  // only the signed DIFF map goes below zero
        }
    }

    void depthMovesTheNeedle() {
        for (size_t m = 0; m < 2; ++m) {
            const InspectionResult first = session_.inspect(request(m, 0));
            const InspectionResult middle = session_.inspect(request(m, 50));
            const InspectionResult last = session_.inspect(request(m, 100));
            QCOMPARE(first.needle.begin, int64_t(1));        // right after the sink
            QCOMPARE(last.needle.end, last.question.begin);  // right before the question
            QVERIFY(first.needle.begin < middle.needle.begin);
            QVERIFY(middle.needle.begin < last.needle.begin);
            QCOMPARE(first.placedDepth, 0.0);
            QCOMPARE(last.placedDepth, 100.0);
            QVERIFY(middle.placedDepth > 0 && middle.placedDepth <= 50.0);
            // Same sample: same needle, same number, same context; only its position changes.
            QCOMPARE(first.needleText, last.needleText);
            QCOMPARE(first.answerText, middle.answerText);
            QCOMPARE(first.contextLength, last.contextLength);
            QCOMPARE(first.needle.size(), last.needle.size());
            // The answer bucket follows the answer tokens: the buckets differ between placements.
            QVERIFY(first.mean.raw.answer != last.mean.raw.answer);
        }
    }

    void mapsBucketsAndRetrievalMatchTheModel() {
        // Against independent computations on the loaded model: the maps equal a full capture of the prompt
        // (causal rows do not see the appended answer), the raw buckets are sums of the query row over each
        // span, and the greedy tokens are those greedy decoding gives.
        for (size_t m = 0; m < 2; ++m) {
            Decoder model = loadModel(checkpoints_[m]);
            model->eval();
            const InspectionResult r = session_.inspect(request(m, 75, 100));
            const std::vector<int64_t> ids(r.tokens.begin(), r.tokens.end());
            const auto full =
                model->capture(torch::tensor(ids, torch::kInt64).unsqueeze(0));  // logits [1, T, V]
            QCOMPARE(int64_t(full.layers.size()), r.layers);
            QCOMPARE(r.lambdas, model->lambdas());
            for (int64_t l = 0; l < r.layers; ++l)
                for (int64_t h = 0; h < r.heads; ++h) {
                    const auto expected = full.layers[size_t(l)].effective[0][h];  // [T, T]
                    for (int64_t i = 0; i < r.rows; ++i) {
                        const float* row = r.row(MapKind::Effective, l, h, i);
                        const auto want = expected[r.rowPositions[size_t(i)]].contiguous();  // [T]
                        for (int64_t k = 0; k < r.cols; ++k)
                            QVERIFY(std::fabs(row[k] - want[k].item<float>()) < 1e-5);
                    }
                    const auto query = expected[r.queryRow];  // [T]
                    const double answer =
                        query.narrow(0, r.answer.begin, r.answer.size()).sum().item<double>();
                    const double sink = query.narrow(0, r.sink.begin, r.sink.size()).sum().item<double>();
                    const double asked =
                        query.narrow(0, r.question.begin, r.question.size()).sum().item<double>();
                    const double all = query.sum().item<double>();
                    const auto& b = r.buckets(l, h);
                    QVERIFY(std::fabs(b.raw.answer - answer) < 1e-5);
                    QVERIFY(std::fabs(b.raw.sink - sink) < 1e-5);
                    QVERIFY(std::fabs(b.raw.noise - (all - answer - sink - asked)) < 1e-5);
                }
            const auto greedy = greedyContinuation(*model, r.tokens, int64_t(r.greedyTokens.size()));
            QVERIFY(!r.greedyTokens.empty());
            QCOMPARE(r.greedyTokens, greedy);
        }
    }

    void customNeedleAndQuestion() {
        InspectionRequest req = request(1, 0, 110);
        req.needle = "The secret code of Lisbon is 4711.";
        req.question = "What is the secret code of Lisbon? The secret code of Lisbon is";
        const InspectionResult first = session_.inspect(req);
        QVERIFY(first.custom);
        QCOMPARE(first.contextLength, int64_t(110));
        QCOMPARE(int64_t(first.tokens.size()), int64_t(110));
        QCOMPARE(first.answerText, std::string("4711"));
        QCOMPARE(decodeSpan(*tokenizer_, first, first.answer), std::string("4711"));
        QCOMPARE(decodeSpan(*tokenizer_, first, first.needle),
                 std::string(" The secret code of Lisbon is 4711."));
        QCOMPARE(decodeSpan(*tokenizer_, first, first.question), " " + req.question);
        QCOMPARE(first.needle.begin, int64_t(1));
        QCOMPARE(first.question.end, int64_t(110));
        req.depth = 100;
        const InspectionResult last = session_.inspect(req);
        QCOMPARE(last.needle.end, last.question.begin);
        QCOMPARE(decodeSpan(*tokenizer_, last, last.answer), std::string("4711"));
        // An explicit answer that is not a number.
        req.needle = "Remember that the password is swordfish.";
        req.answer = "swordfish";
        req.question = "What is the password? The password is";
        const InspectionResult word = session_.inspect(req);
        // A word's first token carries the space before it (digits are split one per token, so a number's
        // span starts at its first digit).
        QCOMPARE(QString::fromStdString(decodeSpan(*tokenizer_, word, word.answer)).trimmed(),
                 QString("swordfish"));
        QCOMPARE(word.answerText, std::string("swordfish"));
        // A longer needle than the generator's takes its room from the haystack.
        req.needle =
            "Remember, dear reader, after all this long text, that the password for today is swordfish.";
        const InspectionResult longer = session_.inspect(req);
        QCOMPARE(int64_t(longer.tokens.size()), int64_t(110));
        QCOMPARE(QString::fromStdString(decodeSpan(*tokenizer_, longer, longer.answer)).trimmed(),
                 QString("swordfish"));
        QCOMPARE(longer.needle.end, longer.question.begin);  // still last at depth 100
        // In the middle, the needle keeps (about) the place the generator's needle had.
        req.depth = 50;
        const InspectionResult middle = session_.inspect(req);
        InspectionRequest plain = request(1, 50, 110);
        const InspectionResult generated = session_.inspect(plain);
        QVERIFY2(std::fabs(middle.placedDepth - generated.placedDepth) < 15,
                 qPrintable(QString("%1 vs %2").arg(middle.placedDepth).arg(generated.placedDepth)));
    }

    void editedNeedleIsTheOneAskedAbout() {
        // Issue 12 point 7: with an edited needle and several needles, the question asks about the edited
        // needle's city, which no distractor shares; too many needles for the context say how many fit.
        for (int needles : {1, 2, 3}) {
            InspectionRequest req = request(1, 50, 120);
            req.needles = needles;
            req.needle = "The special magic number for Denver is 2718281.";
            const QString error = errorOf(req);
            if (!error.isEmpty()) {
                // Too many for this small tokenizer's long questions: the message counts every needle
                // and the question, and says how many fit.
                QVERIFY2(error.contains(QString("%1 needles").arg(needles)) && error.contains("question") &&
                             error.contains("use at most"),
                         qPrintable(error));
                QVERIFY(needles > 1);
                continue;
            }
            const InspectionResult r = session_.inspect(req);
            QCOMPARE(r.answerText, std::string("2718281"));
            QVERIFY2(QString::fromStdString(r.questionText).contains("Denver"), r.questionText.c_str());
            QVERIFY(QString::fromStdString(decodeSpan(*tokenizer_, r, r.question)).contains("Denver"));
            QCOMPARE(decodeSpan(*tokenizer_, r, r.answer), std::string("2718281"));
            QCOMPARE(int(r.distractors.size()), needles - 1);
            for (const TokenSpan& d : r.distractors)
                QVERIFY(!QString::fromStdString(decodeSpan(*tokenizer_, r, d)).contains("Denver"));
        }
        // A needle in another form: its question is the needle up to the answer.
        InspectionRequest other = request(0, 50, 110);
        other.needle = "Remember that the password is 4711.";
        const InspectionResult r = session_.inspect(other);
        QCOMPARE(r.questionText, std::string("Remember that the password is"));
        InspectionRequest first = request(0, 50, 110);
        first.needle = "4711 is the code.";
        QVERIFY(errorOf(first).contains("type the question"));
    }

    void limitsAreWhatTheModelAccepts() {
        // The reported limits are exact: both ends work for every sample, one past them does not.
        for (int needles : {1, 2}) {
            InspectionRequest req = request(0, 50);
            req.needles = needles;
            const InspectionResult longest = session_.inspect(req);
            QCOMPARE(longest.contextLength, longest.maxPromptLength);
            QVERIFY(longest.minPromptLength < longest.maxPromptLength);
            // Every context the slider offers works; the one below its minimum does not.
            for (int64_t context = longest.minPromptLength; context <= longest.maxPromptLength;
                 context += 7) {
                req.contextLength = context;
                const InspectionResult r = session_.inspect(req);
                QCOMPARE(r.contextLength, context);
                QCOMPARE(r.minPromptLength, longest.minPromptLength);
            }
            req.contextLength = longest.minPromptLength - 1;
            QVERIFY(errorOf(req).contains("at least " + QString::number(longest.minPromptLength)));
            req.contextLength = longest.maxPromptLength + 1;
            QVERIFY(errorOf(req).contains("at most " + QString::number(longest.maxPromptLength)));
        }
        // Too many needles for the model: the message says how many fit, and that many do.
        InspectionRequest many = request(0, 50);
        many.needles = 8;
        const QString m = errorOf(many);
        const QRegularExpressionMatch fit = QRegularExpression("use at most (\\d+) needle").match(m);
        QVERIFY2(fit.hasMatch() && m.contains("8 needles"), qPrintable(m));
        many.needles = fit.captured(1).toInt();
        QVERIFY(many.needles >= 1 && many.needles < 8);
        QCOMPARE(session_.inspect(many).distractors.size(), size_t(many.needles - 1));
        // Too short a context: the message names a context that works.
        InspectionRequest shortContext = request(0, 50, 20);
        const QString s = errorOf(shortContext);
        const QRegularExpressionMatch least = QRegularExpression("at least (\\d+) tokens").match(s);
        QVERIFY2(least.hasMatch(), qPrintable(s));
        shortContext.contextLength = least.captured(1).toInt();
        QCOMPARE(session_.inspect(shortContext).contextLength, shortContext.contextLength);
    }

    void longContextsKeepTheLastRows() {
        InspectionRequest req = request(0, 50, 120);
        req.fullRowsUpTo = 64;
        req.tailRows = 16;
        const InspectionResult r = session_.inspect(req);
        QVERIFY(r.rows >= 16 && r.rows < 120);
        QCOMPARE(r.rowPositions.back(), int64_t(119));
        QVERIFY(r.rowPositions.front() <= r.question.begin);  // the question rows are always there
        QCOMPARE(r.rowIndexOf(119), r.rows - 1);
        QCOMPARE(r.rowIndexOf(0), int64_t(-1));
        QCOMPARE(int64_t(r.effective.size()), r.layers * r.heads * r.rows * r.cols);
        req.allRows = false;
        const InspectionResult one = session_.inspect(req);
        QCOMPARE(one.rows, int64_t(1));
        QCOMPARE(one.rowPositions.front(), int64_t(119));
        // The query row's buckets do not depend on which other rows were captured.
        QCOMPARE(one.perHead[0].raw.answer, r.perHead[0].raw.answer);
    }

    void clearErrors() {
        QVERIFY(errorOf(request(0, 50, 4000)).contains("longer than the model's maximum"));
        QVERIFY(errorOf(request(0, 120)).contains("0-100"));
        QVERIFY(errorOf(request(0, 50, 20)).contains("more than the context"));
        InspectionRequest missing = request(0, 50);
        missing.checkpointPath = QDir(dir_.path()).filePath("no-such.pt").toStdString();
        QVERIFY(!errorOf(missing).isEmpty());
        InspectionRequest noNumber = request(0, 50);
        noNumber.needle = "There is no number here.";
        QVERIFY(errorOf(noNumber).contains("holds no number"));
        InspectionRequest wrongAnswer = request(0, 50);
        wrongAnswer.needle = "The code is 1234.";
        wrongAnswer.answer = "5678";
        QVERIFY(errorOf(wrongAnswer).contains("does not occur"));
        // The session still works after errors.
        QCOMPARE(session_.inspect(request(0, 25)).depth, 25.0);
    }

    void storedProbeCurves() {
        RunStore store = RunStore::open(db_, true);
        for (int64_t id : runIds_) {
            const auto rows = store.probeRows(id);
            QVERIFY(!rows.empty());
            const auto latest = probeCurve(rows, std::nullopt, Normalisation::Absolute);
            QVERIFY(latest);
            QCOMPARE(latest->step, int64_t(30));
            QCOMPARE(latest->points.size(), size_t(3));
            QCOMPARE(latest->points[0].depth, 0.0);
            QCOMPARE(latest->points[2].depth, 100.0);
            QCOMPARE(latest->points[0].samples, int64_t(2));
            const auto early = probeCurve(rows, int64_t(15), Normalisation::Absolute);
            QVERIFY(early);
            QCOMPARE(early->step, int64_t(15));
            QVERIFY(!probeCurve(rows, int64_t(7), Normalisation::Signed));
            // Absolute buckets are shares: answer + noise ≤ 1.
            for (const DepthPoint& p : latest->points) QVERIFY(p.answerMean + p.noiseMean <= 1.0 + 1e-9);
        }
        QVERIFY(!probeCurve({}, std::nullopt, Normalisation::Signed));
    }
};

QTEST_GUILESS_MAIN(TestInspection)
#include "test_inspection.moc"
