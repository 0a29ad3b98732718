// The needle objective (issue: models that retrieve): answer-only loss sends no gradient from the other
// positions of a needle row and leaves plain rows' gradient as it was; the loss equals an independent
// Σ w·(−log p) / Σ w; multi-needle tasks have exact spans for every (N, R); the context schedule; the new
// config keys round-trip and bad values are refused; a short experiment with all of it finishes.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include "core/model/Loss.h"
#include "core/probe/Curriculum.h"
#include "core/store/RunStore.h"
#include "core/util/Error.h"
#include "test_probe_support.h"

using namespace needlescope;

class TestNeedleObjective : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    PreparedCorpus data_;
    std::shared_ptr<const std::vector<int32_t>> train_;

    std::string decode(const std::vector<int32_t>& tokens, TokenSpan span) const {
        return data_.tokenizer.decode(
            std::vector<int32_t>(tokens.begin() + span.begin, tokens.begin() + span.end));
    }
    CurriculumSettings settings(std::vector<NeedleSet> sets, NeedleLoss::Mode mode) const {
        CurriculumSettings s;
        s.fraction = 0.5;
        s.seed = 77;
        s.sets = std::move(sets);
        s.loss.mode = mode;
        return s;
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        bool ok = false;
        data_ = probetest::prepareSmallCorpus(dir_.path(), &ok);
        if (!ok) QSKIP("shared WikiText data not found");
        train_ = std::make_shared<const std::vector<int32_t>>(data_.train);
    }

    void needleLossParses() {
        QVERIFY(NeedleLoss::fromString("all").mode == NeedleLoss::Mode::All);
        QVERIFY(NeedleLoss::fromString("answer").mode == NeedleLoss::Mode::Answer);
        const NeedleLoss w = NeedleLoss::fromString("10");
        QVERIFY(w.mode == NeedleLoss::Mode::Weighted && w.weight == 10.0);
        QCOMPARE(QString::fromStdString(w.toString()), QString("10"));
        QCOMPARE(QString::fromStdString(NeedleLoss::fromString("2.5").toString()), QString("2.5"));
        for (const char* bad : {"abc", "-1", "0", "", "10x", "nan"}) {
            try {
                NeedleLoss::fromString(bad);
                QFAIL(bad);
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains("needle_loss"), e.what());
            }
        }
    }

    void multiNeedleSpansDecodeForEverySet() {
        for (const NeedleSet set : {NeedleSet{1, 1}, NeedleSet{2, 2}, NeedleSet{4, 2}, NeedleSet{6, 2}}) {
            // (this test's 512-piece tokenizer makes needles ~30 tokens long: six of them need ~310 tokens)
            Curriculum curriculum(data_.tokenizer, train_, 512, settings({set}, NeedleLoss::Mode::Answer));
            for (uint64_t seed = 0; seed < 12; ++seed) {
                const auto task = curriculum.task(seed);
                QCOMPARE(int64_t(task.tokens.size()), int64_t(513));
                QVERIFY(task.set == set);
                QCOMPARE(int(task.prompt.distractors.size()), set.needles - 1);
                QCOMPARE(int(task.answers.size()), set.queries);
                QCOMPARE(int(task.queried.size()), set.queries);
                // Every needle sentence in the prompt decodes to its own city and number.
                QCOMPARE(decode(task.tokens, task.prompt.needle), needleTexts(task.prompt.target).sentence());
                for (size_t i = 0; i < task.prompt.distractors.size(); ++i)
                    QCOMPARE(decode(task.tokens, task.prompt.distractors[i]),
                             needleTexts(task.prompt.distractorNeedles[i]).sentence());
                // Each answer is the queried needle's number and follows a question about that needle's city.
                std::set<std::string> cities;
                for (size_t q = 0; q < task.answers.size(); ++q) {
                    QCOMPARE(decode(task.tokens, task.answers[q]), " " + task.queried[q].number);
                    const TokenSpan before{std::max<int64_t>(0, task.answers[q].begin - 40),
                                           task.answers[q].begin};
                    const std::string lead = decode(task.tokens, before);
                    const std::string ask = "The special magic number for " + task.queried[q].city + " is";
                    QVERIFY2(lead.size() >= ask.size() &&
                                 lead.compare(lead.size() - ask.size(), ask.size(), ask) == 0,
                             lead.c_str());
                    cities.insert(task.queried[q].city);
                }
                QCOMPARE(int(cities.size()), set.queries);  // R different needles are queried
                QCOMPARE(task.queried.front(), task.prompt.target);
            }
        }
    }

    void answerWeightsSitOnTheAnswerTargets() {
        Curriculum curriculum(data_.tokenizer, train_, 384, settings({{4, 2}}, NeedleLoss::Mode::Answer));
        const auto task = curriculum.task(3);
        const int64_t T = 384;
        NeedleLoss answer;
        answer.mode = NeedleLoss::Mode::Answer;
        const auto w = Curriculum::targetWeights(task, T, answer);
        double sum = 0;
        int64_t answerTokens = 0;
        for (const auto& a : task.answers) answerTokens += a.size();
        for (int64_t i = 0; i < T; ++i) {
            bool isAnswer = false;  // target i is token i + 1
            for (const auto& a : task.answers) isAnswer = isAnswer || a.contains(i + 1);
            QCOMPARE(w[size_t(i)] > 0, isAnswer);
            sum += w[size_t(i)];
        }
        QVERIFY(std::abs(sum - double(T)) < 1e-3);  // the row weighs what a plain row weighs
        NeedleLoss weighted = NeedleLoss::fromString("5");
        const auto w5 = Curriculum::targetWeights(task, T, weighted);
        for (int64_t i = 0; i < T; ++i) QVERIFY(w5[size_t(i)] == 1.0f || w5[size_t(i)] == 5.0f);
        QCOMPARE(int64_t(std::count(w5.begin(), w5.end(), 5.0f)), answerTokens);
        const auto all = Curriculum::targetWeights(task, T, NeedleLoss{});
        QCOMPARE(int64_t(std::count(all.begin(), all.end(), 1.0f)), T);
    }

    void answerOnlyLossGradient() {
        // A batch of plain rows and needle rows, weighted by the curriculum.
        const int64_t B = 6, T = 192, V = data_.tokenizer.vocabSize();
        Curriculum curriculum(data_.tokenizer, train_, 256,
                              settings({{1, 1}, {2, 2}}, NeedleLoss::Mode::Answer));
        Batch batch{torch::randint(0, V, {B, T}, torch::kInt64), {}, {}};
        batch.targets = torch::randint(0, V, {B, T}, torch::kInt64);
        int64_t position = 0;
        while (true) {  // a position where both kinds of rows occur
            Batch b = batch;
            const int64_t n = curriculum.apply(b, position);
            if (n > 0 && n < B) {
                batch = b;
                break;
            }
            ++position;
        }
        QVERIFY(batch.weights.defined());
        QCOMPARE(batch.weights.sizes(), (std::vector<int64_t>{B, T}));
        const auto rowSums = batch.weights.sum(1);  // [B]
        QVERIFY(torch::allclose(rowSums, torch::full({B}, double(T)), 1e-4, 1e-3));

        torch::manual_seed(5);
        auto logits = torch::randn({B, T, V}, torch::requires_grad());    // [B, T, V]
        auto loss = nextTokenLoss(logits, batch.targets, batch.weights);  // []
        // Independent formula: Σ w·(−log softmax[target]) / Σ w.
        auto logp = torch::log_softmax(logits.detach(), -1)
                        .gather(-1, batch.targets.unsqueeze(-1))
                        .squeeze(-1);                                         // [B, T]
        auto expected = -(logp * batch.weights).sum() / batch.weights.sum();  // []
        QVERIFY(std::abs(loss.item<double>() - expected.item<double>()) < 1e-5);
        loss.backward();
        auto grad = logits.grad();  // [B, T, V]

        auto plainLogits = logits.detach().clone().requires_grad_(true);  // [B, T, V]
        nextTokenLoss(plainLogits, batch.targets).backward();             // the "all" objective
        auto plainGrad = plainLogits.grad();                              // [B, T, V]
        for (int64_t r = 0; r < B; ++r) {
            const bool plainRow = (batch.weights[r] == 1).all().item<bool>();
            for (int64_t t = 0; t < T; ++t) {
                const float w = batch.weights[r][t].item<float>();
                if (w == 0.0f)
                    QCOMPARE(grad[r][t].abs().max().item<float>(), 0.0f);  // no gradient at all
                else
                    QVERIFY(grad[r][t].abs().max().item<float>() > 0);
            }
            if (plainRow)
                QVERIFY(torch::allclose(grad[r], plainGrad[r], 1e-6, 1e-9));  // unchanged on plain rows
        }
    }

    void shorterBatchesGetShorterTasks() {
        CurriculumSettings s = settings({{1, 1}, {6, 2}}, NeedleLoss::Mode::Answer);
        s.minContext = 128;  // the 6-needle set cannot fit 128 tokens, the 1-needle one can
        Curriculum curriculum(data_.tokenizer, train_, 512, s);
        for (uint64_t seed = 0; seed < 8; ++seed) {
            const auto task = curriculum.task(seed, 128);
            QCOMPARE(int64_t(task.tokens.size()), int64_t(129));
            QVERIFY(task.set == (NeedleSet{1, 1}));
        }
        QVERIFY_THROWS_EXCEPTION(Error, curriculum.task(1, 600));
        s.sets = {{6, 2}};
        try {
            Curriculum tooShort(data_.tokenizer, train_, 512, s);
            QFAIL("a shortest context no needle set fits must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("context_start"), e.what());
        }
        s.sets = {{6, 2}};
        s.minContext = 0;
        try {
            Curriculum tooShort(data_.tokenizer, train_, 96, s);
            QFAIL("a set that does not fit the context must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("96"), e.what());
        }
    }

    void contextScheduleAndConfigKeys() {
        TrainConfig c = loadPreset("tiny");
        c.model.maxContext = 256;
        QCOMPARE(c.contextAt(0), int64_t(256));  // off
        c.contextStart = 64;
        c.contextRampSteps = 100;
        QCOMPARE(c.contextAt(0), int64_t(64));
        QCOMPARE(c.contextAt(50), int64_t(160));
        QCOMPARE(c.contextAt(99), int64_t(256) - 8 + 8 * 0);  // 64 + 192·0.99 = 254.08 → 248
        QCOMPARE(c.contextAt(100), int64_t(256));
        for (int64_t s = 0; s < 120; ++s) {
            QCOMPARE(c.contextAt(s) % 8, int64_t(0));
            if (s > 0) QVERIFY(c.contextAt(s) >= c.contextAt(s - 1));
        }
        c.needleLoss = NeedleLoss::fromString("answer");
        c.needleSets = {{1, 1}, {2, 2}, {4, 2}, {6, 2}};
        const nlohmann::json j = c;
        const TrainConfig back = j.get<TrainConfig>();
        QVERIFY(back.needleLoss == c.needleLoss);
        QVERIFY(back.needleSets == c.needleSets);
        QCOMPARE(back.contextStart, int64_t(64));
        QCOMPARE(back.contextRampSteps, int64_t(100));
        nlohmann::json weighted = j;
        weighted["needle_loss"] = 10;  // a number is a weight
        QVERIFY(weighted.get<TrainConfig>().needleLoss == NeedleLoss::fromString("10"));
        nlohmann::json bad = j;
        bad["needle_sets"] = {{2, 3}};
        QVERIFY(bad.get<TrainConfig>().validationError().has_value());
        bad = j;
        bad["context_start"] = 999;
        QVERIFY(bad.get<TrainConfig>().validationError().has_value());
        bad = j;
        bad["needle_loss"] = "answers";
        QVERIFY_THROWS_EXCEPTION(Error, bad.get<TrainConfig>());
    }

    void experimentWithTheWholeObjective() {
        TrainConfig config = probetest::tinyConfig(192);
        config.curriculumFraction = 0.5;
        config.needleLoss = NeedleLoss::fromString("answer");
        config.needleSets = {{1, 1}, {2, 2}};  // only the first fits the shortest context
        config.contextStart = 96;
        config.contextRampSteps = 10;
        config.steps = 16;
        config.logEvery = 1;
        const auto run = probetest::trainTiny(dir_.path(), config);
        QCOMPARE(run.status, RunStatus::Finished);
        RunStore store = RunStore::open(run.db.toStdString(), true);
        int64_t expectedTokens = 0;
        for (int64_t s = 0; s < 16; ++s) expectedTokens += config.batchSize * config.contextAt(s);
        for (int64_t id : run.runIds) {
            const auto loss = store.metrics(id, "train_loss");
            QCOMPARE(int64_t(loss.size()), int64_t(16));
            for (const auto& m : loss) QVERIFY(std::isfinite(m.value));
            QCOMPARE(loss.back().tokens, expectedTokens);  // tokens follow the scheduled contexts
        }
    }
};

QTEST_APPLESS_MAIN(TestNeedleObjective)
#include "test_needle_objective.moc"
