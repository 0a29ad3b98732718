// The study's statistics against independent, hand-checked computations: McNemar's exact p from binomial
// sums written out by hand, sign-flip p-values from enumerating the sign assignments on paper, and the
// bootstrap interval against its degenerate cases and the normal approximation on a large sample.
#include <QtTest/QtTest>
#include <cmath>

#include "core/probe/Statistics.h"
#include "core/probe/Study.h"
#include "core/util/Error.h"

using namespace needlescope;

class TestStatistics : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void mcnemarExactOnKnownTables() {
        // b = 1, c = 9: n = 10, P[X ≤ 1] = (C(10,0) + C(10,1)) / 2^10 = 11/1024, p = 22/1024.
        QVERIFY(std::abs(mcnemarExactP(1, 9) - 22.0 / 1024.0) < 1e-12);
        QVERIFY(std::abs(mcnemarExactP(9, 1) - 22.0 / 1024.0) < 1e-12);  // symmetric
        // b = 0, c = 5: 2 · 1/32.
        QVERIFY(std::abs(mcnemarExactP(0, 5) - 2.0 / 32.0) < 1e-12);
        // Balanced discordance is no evidence at all: p is capped at 1.
        QCOMPARE(mcnemarExactP(3, 3), 1.0);
        QCOMPARE(mcnemarExactP(0, 0), 1.0);
        // b = 2, c = 12: P[X ≤ 2] = (1 + 14 + 91) / 16384.
        QVERIFY(std::abs(mcnemarExactP(2, 12) - 2.0 * 106.0 / 16384.0) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(Error, mcnemarExactP(-1, 2));

        const std::vector<bool> a = {true, true, false, false, true, false, true};
        const std::vector<bool> b = {true, false, true, false, false, false, false};
        const McNemarResult r = mcnemarExact(a, b);
        QCOMPARE(r.bothRight, int64_t(1));
        QCOMPARE(r.onlyFirst, int64_t(3));
        QCOMPARE(r.onlySecond, int64_t(1));
        QCOMPARE(r.bothWrong, int64_t(2));
        QVERIFY(std::abs(r.p - 2.0 * 5.0 / 16.0) < 1e-12);  // n = 4, P[X ≤ 1] = 5/16
        QVERIFY_THROWS_EXCEPTION(Error, mcnemarExact({true}, {true, false}));
    }

    void signFlipEnumeratesEveryAssignment() {
        // d = (0.3, 0.1, 0.2, −0.05): |Σ| = 0.55; of the 16 assignments only (+,+,+,−), (+,+,+,+) and their
        // negations reach 0.55, so p = 4/16.
        SignFlipResult r = signFlipTest({0.3, 0.1, 0.2, -0.05});
        QVERIFY(std::abs(r.p - 0.25) < 1e-12);
        QVERIFY(std::abs(r.meanDifference - 0.1375) < 1e-12);
        QCOMPARE(r.seeds, int64_t(4));
        QVERIFY(r.exact);
        // Six differences of one sign: only the all-plus and all-minus assignments are as extreme: 2/64.
        r = signFlipTest({1, 2, 3, 4, 5, 6});
        QVERIFY(std::abs(r.p - 2.0 / 64.0) < 1e-12);
        QVERIFY(std::abs(r.smallestPossibleP - 2.0 / 64.0) < 1e-12);
        // Five of one sign cannot reach 0.05: the floor is 2/32.
        r = signFlipTest({1, 2, 3, 4, 5});
        QVERIFY(std::abs(r.p - 2.0 / 32.0) < 1e-12);
        QVERIFY(r.smallestPossibleP >= 0.05);
        // (1, −1, 2): |Σ| = 2; the sums ±4, ±2, ±2 reach it, ±0 do not: 6/8.
        r = signFlipTest({1, -1, 2});
        QVERIFY(std::abs(r.p - 0.75) < 1e-12);
        // NaN differences are dropped; none at all gives p = 1 and a NaN mean.
        r = signFlipTest({std::nan(""), 1, 2});
        QCOMPARE(r.seeds, int64_t(2));
        QVERIFY(std::abs(r.p - 0.5) < 1e-12);
        r = signFlipTest({});
        QCOMPARE(r.p, 1.0);
        QVERIFY(std::isnan(r.meanDifference));
        QCOMPARE(seedsNeededForSignFlip(0.05), int64_t(6));
        QCOMPARE(seedsNeededForSignFlip(0.01), int64_t(8));
    }

    void bootstrapIntervalBehaves() {
        // Constant values: a zero-width interval at the constant.
        Interval c = bootstrapMeanCI({{0.4, 0.4, 0.4}, {0.4, 0.4}});
        QVERIFY(std::abs(c.low - 0.4) < 1e-12 && std::abs(c.high - 0.4) < 1e-12);
        QCOMPARE(c.groups, int64_t(2));
        QCOMPARE(c.values, int64_t(5));
        // Two seeds, each constant: the seed-level resampling spans both seeds' values.
        Interval two = bootstrapMeanCI({{0, 0, 0, 0}, {1, 1, 1, 1}});
        QVERIFY(std::abs(two.mean - 0.5) < 1e-12);
        QVERIFY(two.low < 1e-12 && two.high > 1 - 1e-12);
        // One large seed of evenly spread values: close to the normal interval mean ± 1.96·sd/√n.
        std::vector<double> values;
        for (int i = 0; i < 400; ++i) values.push_back(double(i % 100) / 100.0);
        double mean = 0, var = 0;
        for (double v : values) mean += v;
        mean /= double(values.size());
        for (double v : values) var += (v - mean) * (v - mean);
        var /= double(values.size() - 1);
        const double half = 1.96 * std::sqrt(var / double(values.size()));
        Interval big = bootstrapMeanCI({values});
        QVERIFY(std::abs(big.mean - mean) < 1e-12);
        QVERIFY2(std::abs((big.high - big.low) / 2 - half) < 0.15 * half,
                 qPrintable(QString("%1 vs %2").arg((big.high - big.low) / 2).arg(half)));
        QVERIFY(big.low < mean && mean < big.high);
        // Deterministic for a seed; NaN values dropped; nothing at all is NaN.
        Interval again = bootstrapMeanCI({values});
        QCOMPARE(again.low, big.low);
        Interval withNaN = bootstrapMeanCI({{std::nan(""), 0.4, 0.4}});
        QCOMPARE(withNaN.values, int64_t(2));
        QVERIFY(std::isnan(bootstrapMeanCI({{}, {std::nan("")}}).mean));
        QVERIFY_THROWS_EXCEPTION(Error, bootstrapMeanCI({{1.0}}, 1.5));
    }

    void studyPairsKindsOnIdenticalPrompts() {
        // Two kinds × three seeds × two depths × four prompts, one layer of two heads. Head values are set so
        // the per-prompt mean over heads is known: answer = base + 0.1·seed index (+0.05 for diff), noise =
        // 0.5 (−0.1 for diff at depth 100 only).
        std::vector<StudyRun> runs;
        const std::vector<std::string> kinds = {"standard", "diff"};
        for (int k = 0; k < 2; ++k)
            for (uint64_t seed = 0; seed < 3; ++seed) {
                StudyRun run;
                run.runId = int64_t(10 + k * 3 + int(seed));
                run.kind = kinds[size_t(k)];
                run.seed = 100 + seed;
                run.stepsTo95 = k == 0 ? 300 : -1;
                for (double depth : {0.0, 100.0})
                    for (int64_t sample = 0; sample < 4; ++sample)
                        for (int64_t head = 0; head < 2; ++head) {
                            ProbeRow r;
                            r.runId = run.runId;
                            r.step = 50;
                            r.contextLength = 128;
                            r.depth = depth;
                            r.sample = sample;
                            r.head = head;
                            const double answer = 0.2 + 0.1 * double(seed) + (k == 1 ? 0.05 : 0.0);
                            const double spread = head == 0 ? -0.02 : 0.02;  // heads differ, mean is `answer`
                            r.signedNorm = {0.1, answer + spread, (k == 1 && depth == 100.0) ? 0.4 : 0.5,
                                            0.0};
                            r.absolute = r.raw = r.signedNorm;
                            r.signedTotal = 1;
                            r.hit = k == 1 ? sample < 3 : sample < 1;  // diff right on 3 of 4, standard on 1
                            run.rows.push_back(r);
                        }
                runs.push_back(std::move(run));
            }
        const StudyAnalysis s = analyzeStudy(runs);
        QCOMPARE(s.kinds, (std::vector<std::string>{"standard", "diff"}));
        QCOMPARE(int(s.seeds.size()), 3);
        QCOMPARE(s.samplesPerDepth, int64_t(4));
        QVERIFY(std::abs(s.perKind.at("standard")[0].answer.mean - 0.3) < 1e-12);  // mean of 0.2, 0.3, 0.4
        QVERIFY(std::abs(s.perKind.at("diff")[1].noise.mean - 0.4) < 1e-12);
        QVERIFY(std::abs(s.perKind.at("diff")[0].accuracy.mean - 0.75) < 1e-12);
        const PairedDepthStats& deep = s.paired.at("diff")[1];
        QVERIFY(std::abs(deep.answerDiff.mean - 0.05) < 1e-12);
        QVERIFY(std::abs(deep.noiseDiff.mean + 0.1) < 1e-12);
        // Three seeds with the same sign: the exact sign-flip p is 2/8 — never below 0.05 with K = 3.
        QVERIFY(std::abs(deep.answerTest.p - 0.25) < 1e-12);
        // Retrieval: per depth, diff alone right on prompts 1 and 2 of each seed (6), standard alone never.
        QCOMPARE(deep.retrieval.onlyFirst, int64_t(6));
        QCOMPARE(deep.retrieval.onlySecond, int64_t(0));
        QVERIFY(std::abs(deep.retrieval.p - mcnemarExactP(6, 0)) < 1e-12);
        QCOMPARE(s.pairedAllDepths.at("diff").retrieval.onlyFirst, int64_t(12));
        QCOMPARE(s.stepsTo95.at("standard"), (std::vector<int64_t>{300, 300, 300}));
        QVERIFY(!s.notes.empty() && QString::fromStdString(s.notes.front()).contains("needs 6 seeds"));
        // Noise is 0.5 or 0.4 with no spread: its interval is above 0, so the ratio is defined.
        QVERIFY(std::abs(s.perKind.at("diff")[1].ratio - s.perKind.at("diff")[1].answer.mean / 0.4) < 1e-12);
        QVERIFY(!s.ratioUndefined);
        const std::string md = studyMarkdown(s, "t", "needlescope-cli study");
        QVERIFY(QString::fromStdString(md).contains("McNemar"));
        QVERIFY(QString::fromStdString(studyCsv(s)).contains("diff-standard,all"));

        // A seed without its diff run is not a paired study.
        std::vector<StudyRun> unpaired(runs.begin(), runs.end() - 1);
        QVERIFY_THROWS_EXCEPTION(Error, analyzeStudy(unpaired));
        // Different prompts (a missing sample) are refused too.
        std::vector<StudyRun> uneven = runs;
        uneven.back().rows.resize(uneven.back().rows.size() - 2);
        QVERIFY_THROWS_EXCEPTION(Error, analyzeStudy(uneven));
        // Signed noise around 0 (DIFF can cancel it): the ratio would be noise over noise, so it is n/a.
        std::vector<StudyRun> cancelled = runs;
        for (StudyRun& run : cancelled)
            for (ProbeRow& r : run.rows)
                if (run.kind == "diff")
                    r.signedNorm.noise = (r.sample % 2 ? 0.05 : -0.05) + 0.01 * double(r.head);
        const StudyAnalysis c = analyzeStudy(cancelled);
        QVERIFY(std::isnan(c.perKind.at("diff")[0].ratio));
        QVERIFY(!std::isnan(c.perKind.at("standard")[0].ratio));
        QVERIFY(c.ratioUndefined);
        QVERIFY(QString::fromStdString(studyMarkdown(c, "t", "")).contains("noise interval reaches 0"));
        QCOMPARE(
            firstStepAtLeast(
                {{100, "retrieval", 0.5, 0, 0}, {200, "retrieval", 0.96, 0, 0}, {300, "retrieval", 1, 0, 0}}),
            int64_t(200));
        QCOMPARE(firstStepAtLeast({{100, "retrieval", 0.5, 0, 0}}), int64_t(-1));
    }
};

QTEST_APPLESS_MAIN(TestStatistics)
#include "test_statistics.moc"
