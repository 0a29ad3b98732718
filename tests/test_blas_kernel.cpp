// The start-up choice of OpenBLAS kernel (issue 10): every branch of the pure decision, the kernel tables,
// the GEMM self-check, and the CLI reporting the active core (and leaving a user's OPENBLAS_CORETYPE alone).
#include <QtTest/QtTest>

#include "core/util/BlasKernel.h"

using namespace needlescope;

namespace {

CpuFeatures avx512() { return CpuFeatures{true, true}; }
CpuFeatures avx2() { return CpuFeatures{false, true}; }
CpuFeatures sseOnly() { return CpuFeatures{false, false}; }

BlasKernelInputs observed(CpuFeatures cpu, const std::string& core) {
    BlasKernelInputs in;
    in.cpu = cpu;
    in.activeCore = core;
    return in;
}

QString runCli(const QStringList& args, const QProcessEnvironment& env) {
    QProcess cli;
    cli.setProcessEnvironment(env);
    cli.start(QStringLiteral(NEEDLESCOPE_CLI_PATH), args);
    if (!cli.waitForFinished(60000)) return {};
    return QString::fromUtf8(cli.readAllStandardOutput() + cli.readAllStandardError());
}

}  // namespace

class TestBlasKernel : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void genericCoreOnANewCpuRestartsWithTheBestKernel() {
        auto d = decideBlasKernel(observed(avx512(), "Prescott"));
        QVERIFY(d.restart);
        QCOMPARE(QString::fromStdString(d.coreType), QString("SkylakeX"));
        d = decideBlasKernel(observed(avx2(), "Prescott"));
        QVERIFY(d.restart);
        QCOMPARE(QString::fromStdString(d.coreType), QString("Haswell"));
        d = decideBlasKernel(observed(avx512(), "Sandybridge"));  // AVX kernel on an AVX-512 CPU
        QVERIFY(d.restart);
    }

    void aGoodEnoughCoreIsKept() {
        QVERIFY(!decideBlasKernel(observed(avx2(), "Haswell")).restart);
        QVERIFY(!decideBlasKernel(observed(avx2(), "Zen")).restart);
        QVERIFY(!decideBlasKernel(observed(avx512(), "SkylakeX")).restart);
        QVERIFY(!decideBlasKernel(observed(avx512(), "Cooperlake")).restart);
        QVERIFY(!decideBlasKernel(observed(sseOnly(), "Prescott")).restart);  // nothing better runs here
    }

    void unknownCoresAndOtherBlasAreLeftAlone() {
        QVERIFY(!decideBlasKernel(observed(avx512(), "SomeFutureCore")).restart);
        const auto d = decideBlasKernel(observed(avx512(), ""));  // MKL, reference BLAS...
        QVERIFY(!d.restart);
        QVERIFY(d.note.empty());
    }

    void aUserChoiceIsNeverOverridden() {
        auto in = observed(avx512(), "Prescott");
        in.userCoreType = "Prescott";
        QVERIFY(!decideBlasKernel(in).restart);
    }

    void ourKernelThatPassesIsKept() {
        auto in = observed(avx512(), "SkylakeX");
        in.ourCoreType = "SkylakeX";
        const auto d = decideBlasKernel(in);
        QVERIFY(!d.restart);
        QVERIFY(d.note.empty());
    }

    void ourKernelThatFailsStepsDownAndSaysSo() {
        auto in = observed(avx512(), "SkylakeX");
        in.ourCoreType = "SkylakeX";
        in.selfCheckPassed = false;
        auto d = decideBlasKernel(in);
        QVERIFY(d.restart);
        QCOMPARE(QString::fromStdString(d.coreType), QString("Haswell"));
        QVERIFY(QString::fromStdString(d.note).contains("self-check"));

        in.activeCore = in.ourCoreType.value() = "Prescott";  // nothing safer left: keep and say so
        d = decideBlasKernel(in);
        QVERIFY(!d.restart);
        QVERIFY(QString::fromStdString(d.note).contains("no safer one"));
    }

    void aFailingDistributionKernelIsReportedNotReplaced() {
        auto in = observed(avx2(), "Prescott");
        in.selfCheckPassed = false;
        const auto d = decideBlasKernel(in);
        QVERIFY(!d.restart);
        QVERIFY(QString::fromStdString(d.note).contains("warning"));
    }

    void kernelTables() {
        QCOMPARE(blasCoreRank("prescott"), 0);
        QCOMPARE(blasCoreRank("Haswell"), 2);
        QCOMPARE(blasCoreRank("SKYLAKEX"), 3);
        QCOMPARE(blasCoreRank("Nonesuch"), -1);
        QCOMPARE(QString::fromStdString(saferKernel("SkylakeX").value()), QString("Haswell"));
        QCOMPARE(QString::fromStdString(saferKernel("Haswell").value()), QString("Sandybridge"));
        QVERIFY(!saferKernel("Prescott").has_value());
        QVERIFY(!bestKernelFor(sseOnly()).has_value());
    }

    void openMpWorkersSpinBrieflyThenSleepUnlessTheUserChose() {
        using Settings = std::vector<std::pair<std::string, std::string>>;
        const Settings chosen = openMpWaitSettings(std::nullopt, std::nullopt);
        QVERIFY(chosen == Settings({{"OMP_WAIT_POLICY", "PASSIVE"}, {"GOMP_SPINCOUNT", "3000"}}));
        QVERIFY(
            openMpWaitSettings(std::string("ACTIVE"), std::nullopt).empty());  // the user's policy decides
        QVERIFY(openMpWaitSettings(std::string("PASSIVE"), std::nullopt).empty());
        QVERIFY(openMpWaitSettings(std::nullopt, std::string("0")) ==  // the user's spin count is kept
                Settings({{"OMP_WAIT_POLICY", "PASSIVE"}}));
    }

    void gemmSelfCheckPassesHere() { QVERIFY(blasSelfCheck()); }

    void cliVersionNamesTheActiveCore() {
        if (activeBlasCore().empty()) QSKIP("this LibTorch does not use OpenBLAS");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("OPENBLAS_CORETYPE");
        env.remove("NEEDLESCOPE_BLAS_CORETYPE");
        const QString automatic = runCli({"--version"}, env);
        QVERIFY2(automatic.contains("OpenBLAS core "), qPrintable(automatic));
        QVERIFY2(!automatic.contains("could use"), qPrintable(automatic));  // never left on a slower kernel

        env.insert("OPENBLAS_CORETYPE", "Prescott");  // runs on every x86-64 CPU
        const QString forced = runCli({"--version"}, env);
        QVERIFY2(forced.contains("core Prescott (set by OPENBLAS_CORETYPE)"), qPrintable(forced));
    }
};

QTEST_GUILESS_MAIN(TestBlasKernel)
#include "test_blas_kernel.moc"
