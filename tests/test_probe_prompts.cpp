// Prompt assembly of the needle probe: exact spans for many random placements (answer decodes to the
// number, needle to the needle sentence, question last), depth 0 first, depth 100 last, the haystack
// kept intact around the insertions, same seed → same prompts, and clear errors for bad requests.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>

#include "core/probe/Haystack.h"
#include "core/probe/NeedleTask.h"
#include "core/probe/Probe.h"
#include "core/probe/PromptBuilder.h"
#include "core/util/Error.h"
#include "test_probe_support.h"

using namespace needlescope;

class TestProbePrompts : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    PreparedCorpus data_;
    std::unique_ptr<Haystack> haystack_;

    std::string decode(const Prompt& p, TokenSpan span) const {
        return data_.tokenizer.decode(
            std::vector<int32_t>(p.tokens.begin() + span.begin, p.tokens.begin() + span.end));
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        bool ok = false;
        data_ = probetest::prepareSmallCorpus(dir_.path(), &ok);
        if (!ok) QSKIP("shared WikiText data not found");
        haystack_ = std::make_unique<Haystack>(data_.valid, data_.tokenizer);
        QVERIFY(haystack_->sentenceStarts().size() > 100);
    }

    void sentenceEndsAreRealSentenceEnds() {
        // Every detected sentence end decodes to text ending in . ! ? or a line break, and the next token
        // starts with whitespace or follows a line break.
        const auto& t = haystack_->tokens();
        int checked = 0;
        for (uint32_t s : haystack_->sentenceStarts()) {
            const std::string end = data_.tokenizer.decode({t[s - 1]});
            const std::string next = data_.tokenizer.decode({t[s]});
            QVERIFY(!end.empty());
            const bool line = end.back() == '\n';
            std::string trimmed = end;
            while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\n')) trimmed.pop_back();
            QVERIFY2(
                line || (!trimmed.empty() && std::string(".!?").find(trimmed.back()) != std::string::npos),
                end.c_str());
            QVERIFY2(line || next.front() == ' ' || next.front() == '\n', next.c_str());
            if (++checked > 2000) break;
        }
    }

    void spansAreExactForRandomPlacements() {
        PromptBuilder builder(data_.tokenizer, *haystack_);
        ProbeRng rng(42);
        int built = 0;
        for (int trial = 0; trial < 300; ++trial) {
            PromptSpec spec;
            // (At this 512-piece vocabulary a needle takes ~30 tokens and its question ~46.)
            const int64_t contexts[] = {100, 128, 160, 200, 256, 512};
            spec.contextLength = contexts[rng.below(6)];
            const double depths[] = {0, 25, 50, 75, 100, 100.0 * rng.unit()};
            spec.depth = depths[rng.below(6)];
            spec.needles = spec.contextLength >= 256 ? 1 + int(rng.below(3)) : 1;
            spec.seed = rng.next();
            spec.sample = int64_t(rng.below(1000));
            const Prompt p = builder.build(spec);
            ++built;
            const std::string where = "trial " + std::to_string(trial) + " ctx " +
                                      std::to_string(spec.contextLength) + " depth " +
                                      std::to_string(spec.depth);
            QCOMPARE(int64_t(p.tokens.size()), spec.contextLength);
            // Answer span → the number; needle span → the needle sentence; question span → the question,
            // last.
            QCOMPARE(decode(p, p.answer), p.target.number);
            QCOMPARE(decode(p, p.needle), needleTexts(p.target).sentence());
            QVERIFY2(p.needle.begin < p.answer.begin && p.answer.end < p.needle.end, where.c_str());
            QCOMPARE(decode(p, p.question), questionText(p.target.city));
            QCOMPARE(p.question.end, spec.contextLength);
            QVERIFY2(p.needle.end <= p.question.begin, where.c_str());
            QCOMPARE(p.sink.begin, int64_t(0));
            QCOMPARE(p.sink.end, int64_t(1));
            QCOMPARE(p.tokens[0], builder.sinkTokens()[0]);
            // Depth 0: the needle right after the sink; depth 100: the needle right before the question.
            if (spec.depth == 0) QCOMPARE(p.needle.begin, int64_t(builder.sinkTokens().size()));
            if (spec.depth == 100) QCOMPARE(p.needle.end, p.question.begin);
            // The placement is the boundary nearest the request: within 4 % of the haystack when that is a
            // sentence boundary, else a word start no farther than the nearest sentence boundary.
            QVERIFY2(std::abs(p.placedDepth - spec.depth) <=
                         100.0 * std::max(0.04, 8.0 / double(std::max<int64_t>(1, p.haystackTokens))),
                     (where + " placed " + std::to_string(p.placedDepth)).c_str());
            // Distractors: their own sentences, never overlapping the needle or each other.
            QCOMPARE(int(p.distractors.size()), spec.needles - 1);
            std::vector<TokenSpan> all = p.distractors;
            all.push_back(p.needle);
            std::sort(all.begin(), all.end(), [](TokenSpan a, TokenSpan b) { return a.begin < b.begin; });
            for (size_t i = 1; i < all.size(); ++i) QVERIFY2(all[i - 1].end <= all[i].begin, where.c_str());
            for (size_t i = 0; i < p.distractors.size(); ++i) {
                QCOMPARE(decode(p, p.distractors[i]), needleTexts(p.distractorNeedles[i]).sentence());
                QVERIFY(p.distractorNeedles[i].city != p.target.city);
            }
            // Outside the needles and the question, the prompt is the haystack window, token for token, and
            // every needle starts right after a sentence end (or the sink / another needle), or — the queried
            // needle, when no sentence boundary is near its depth — before a word start.
            std::vector<int32_t> rest;
            int64_t pos = int64_t(builder.sinkTokens().size());
            for (const TokenSpan& s : all) {
                rest.insert(rest.end(), p.tokens.begin() + pos, p.tokens.begin() + s.begin);
                const int64_t before = int64_t(rest.size());  // haystack tokens before this needle
                const bool wordStart =
                    s.begin == p.needle.begin &&
                    std::binary_search(haystack_->wordStarts().begin(), haystack_->wordStarts().end(),
                                       uint32_t(p.haystackStart + before));
                QVERIFY2(before == 0 || before == p.haystackTokens ||
                             haystack_->endsSentence(size_t(p.haystackStart + before - 1)) || wordStart,
                         where.c_str());
                pos = s.end;
            }
            rest.insert(rest.end(), p.tokens.begin() + pos, p.tokens.begin() + p.question.begin);
            QCOMPARE(int64_t(rest.size()), p.haystackTokens);
            const auto& hay = haystack_->tokens();
            QVERIFY2(std::equal(rest.begin(), rest.end(), hay.begin() + p.haystackStart), where.c_str());
            QVERIFY2(p.haystackStart == 0 || haystack_->endsSentence(size_t(p.haystackStart - 1)),
                     where.c_str());
        }
        QCOMPARE(built, 300);
    }

    // The requested depth is honoured: at a context of 256 the placed depths of 0/25/50/75/100 % lie within
    // 5 percentage points of the request and are pairwise distinct, for every sample.
    void placedDepthsFollowTheRequest() {
        PromptBuilder builder(data_.tokenizer, *haystack_);
        for (int64_t sample = 0; sample < 30; ++sample) {
            std::vector<double> placed;
            for (double depth : {0.0, 25.0, 50.0, 75.0, 100.0}) {
                PromptSpec spec;
                spec.contextLength = 256;
                spec.depth = depth;
                spec.seed = 11;
                spec.sample = sample;
                const Prompt p = builder.build(spec);
                QVERIFY2(std::abs(p.placedDepth - depth) <= 5.0,
                         qPrintable(QString("sample %1: %2 %% placed at %3 %%")
                                        .arg(sample)
                                        .arg(depth)
                                        .arg(p.placedDepth)));
                for (double other : placed) QVERIFY(std::abs(other - p.placedDepth) > 1e-9);
                placed.push_back(p.placedDepth);
            }
        }
    }

    void separatelyEncodedPartsMatchTheWholeSentence() {
        // The parts are cut before spaces, where the tokenizer never merges, so the spans are also the
        // tokens a plain encode of the sentence gives.
        ProbeRng rng(3);
        for (int i = 0; i < 50; ++i) {
            const Needle n = drawNeedles(rng, 1)[0];
            const NeedleTexts t = needleTexts(n);
            std::vector<int32_t> parts = data_.tokenizer.encode(t.lead);
            for (const auto& piece : {t.answer, t.tail}) {
                const auto ids = data_.tokenizer.encode(piece);
                parts.insert(parts.end(), ids.begin(), ids.end());
            }
            QCOMPARE(parts, data_.tokenizer.encode(t.sentence()));
        }
    }

    void depthMovesTheNeedleMonotonically() {
        PromptBuilder builder(data_.tokenizer, *haystack_);
        for (int sample = 0; sample < 10; ++sample) {
            int64_t last = -1;
            std::string text;
            for (double depth : {0.0, 10.0, 25.0, 50.0, 60.0, 75.0, 90.0, 100.0}) {
                PromptSpec spec;
                spec.contextLength = 256;
                spec.depth = depth;
                spec.seed = 7;
                spec.sample = sample;
                const Prompt p = builder.build(spec);
                QVERIFY(p.needle.begin >= last);
                last = p.needle.begin;
                if (text.empty()) text = p.target.number;
                QCOMPARE(p.target.number, text);  // sample k: the same needle at every depth
            }
        }
    }

    void sameSeedSamePrompts() {
        NeedleProbe probe(data_.tokenizer, *haystack_);
        ProbeOptions options;
        options.samples = 3;
        options.needles = 2;
        options.seed = 11;
        const auto a = probe.prompts(options, 256);
        const auto b = probe.prompts(options, 256);
        QCOMPARE(a.size(), size_t(15));
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].tokens, b[i].tokens);
            QCOMPARE(a[i].needle.begin, b[i].needle.begin);
            QCOMPARE(a[i].answer.begin, b[i].answer.begin);
        }
        options.seed = 12;
        const auto c = probe.prompts(options, 256);
        int differ = 0;
        for (size_t i = 0; i < a.size(); ++i) differ += a[i].tokens != c[i].tokens ? 1 : 0;
        QVERIFY(differ > 0);
    }

    void customNeedleAndDistractorsNeverShareItsCity() {
        // Issue 12 point 7: an edited needle is the queried one, the question asks about it, and no
        // distractor names its city or number.
        PromptBuilder builder(data_.tokenizer, *haystack_);
        const std::string sentence = " The special magic number for Denver is 2718281.";
        const std::string question = questionForNeedle(sentence, sentence.find("2718281"));
        QCOMPARE(question, questionText("Denver"));
        const std::string password = " Remember that the password is swordfish.";
        QCOMPARE(questionForNeedle(password, password.find("swordfish")),
                 std::string(" Remember that the password is"));
        QVERIFY(questionForNeedle(" 42 is the answer.", 1).empty());
        NeedleParts custom{data_.tokenizer.encode(" The special magic number for Denver is"),
                           data_.tokenizer.encode(" 2718281"), data_.tokenizer.encode("."), sentence};
        for (int needles : {1, 2, 3, 5})
            for (int64_t sample = 0; sample < 40; ++sample) {
                PromptSpec spec;
                spec.contextLength = 200;
                spec.needles = needles;
                spec.sample = sample;
                spec.customNeedle = custom;
                spec.customQuestion = data_.tokenizer.encode(question);
                const Prompt p = builder.build(spec);
                QCOMPARE(decode(p, p.needle), sentence);
                QCOMPARE(decode(p, p.question), question);
                QCOMPARE(int(p.distractors.size()), needles - 1);
                for (const Needle& d : p.distractorNeedles) {
                    QVERIFY(d.city != "Denver");
                    QVERIFY(d.number != "2718281");
                }
                const PromptNeeds needs = builder.needs(spec);
                QVERIFY(needs.total() <= builder.worstNeeds(spec).total());
                QCOMPARE(needs.needle, custom.size());
            }
    }

    void worstNeedsHoldEverySample() {
        // Every context from worstNeeds().total() up holds every sample (the Inspect slider's minimum).
        PromptBuilder builder(data_.tokenizer, *haystack_);
        for (int needles : {1, 3}) {
            PromptSpec spec;
            spec.needles = needles;
            const int64_t worst = builder.worstNeeds(spec).total();
            for (int64_t context = worst; context < worst + 6; ++context)
                for (int64_t sample = 0; sample < 30; ++sample) {
                    spec.contextLength = context;
                    spec.sample = sample;
                    QCOMPARE(int64_t(builder.build(spec).tokens.size()), context);
                    // The bounds hold the sample's own needs between them.
                    const int64_t own = builder.needs(spec).total();
                    QVERIFY(builder.leastNeeds(spec).total() <= own && own <= worst);
                    QVERIFY(builder.leastNeeds(spec).needle > 1);
                }
        }
        // The too-short error counts every needle and says what to do.
        PromptSpec three;
        three.needles = 3;
        three.contextLength = 30;
        try {
            builder.build(three);
            QFAIL("a 30-token context cannot hold three needles");
        } catch (const Error& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains("3 needles") && m.contains("question") && m.contains("at least") &&
                         m.contains("fewer needles"),
                     qPrintable(m));
        }
    }

    void badRequestsGiveClearErrors() {
        PromptBuilder builder(data_.tokenizer, *haystack_);
        auto message = [&](const PromptSpec& spec) -> QString {
            try {
                builder.build(spec);
            } catch (const Error& e) {
                return QString::fromUtf8(e.what());
            }
            return {};
        };
        PromptSpec spec;
        spec.contextLength = 128;
        for (double bad : {-1.0, 100.5, 250.0, std::nan("")}) {
            spec.depth = bad;
            const QString m = message(spec);
            QVERIFY2(m.contains("depth") && m.contains("0-100"), qPrintable(m));
        }
        spec.depth = 50;
        spec.contextLength = 12;  // shorter than needle + question
        QString m = message(spec);
        QVERIFY2(m.contains("needle") && m.contains("more than the context of 12 tokens"), qPrintable(m));
        spec.contextLength = int64_t(haystack_->size()) + 100;
        m = message(spec);
        QVERIFY2(m.contains("haystack") && m.contains("too short"), qPrintable(m));
    }
};

QTEST_APPLESS_MAIN(TestProbePrompts)
#include "test_probe_prompts.moc"
