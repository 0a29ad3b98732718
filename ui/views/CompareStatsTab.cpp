#include "ui/views/CompareStatsTab.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <vector>

#include "core/model/ModelConfig.h"
#include "core/probe/StudyRunner.h"
#include "core/store/RunStore.h"
#include "ui/style/Palette.h"
#include "ui/widgets/BucketsCombo.h"

namespace needlescope {
namespace {

// Standard first, then DIFF, then V2 (the order of ModelKind); an unknown kind after them.
int kindOrder(const QString& kind) {
    try {
        return int(modelKindFromString(kind.toStdString()));
    } catch (const std::exception&) {
        return 1000;
    }
}

}  // namespace

CompareStatsTab::CompareStatsTab(const needlescope::app::AppPaths& paths, QWidget* parent)
    : QWidget(parent), paths_(paths) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Probe at step"), this));
    stepCombo_ = new QComboBox(this);
    stepCombo_->setObjectName(QStringLiteral("statsStep"));
    stepCombo_->setToolTip(tr("The probe steps every compared run has (the latest by default)"));
    row->addWidget(stepCombo_);
    row->addWidget(new QLabel(tr("Buckets"), this));
    normCombo_ = makeBucketsCombo(QStringLiteral("statsNorm"), this);
    row->addWidget(normCombo_);
    row->addStretch(1);
    layout->addLayout(row);
    seedsNote_ = new QLabel(this);
    seedsNote_->setObjectName(QStringLiteral("statsSeedsNote"));
    seedsNote_->setWordWrap(true);
    seedsNote_->setStyleSheet(textColorStyle(warningColor()));
    seedsNote_->hide();
    layout->addWidget(seedsNote_);
    report_ = new QTextBrowser(this);
    report_->setObjectName(QStringLiteral("statsReport"));
    report_->setOpenLinks(false);
    layout->addWidget(report_, 1);

    const auto reanalyse = [this](int) {
        if (isVisible())
            analyse();
        else
            stale_ = true;
    };
    connect(stepCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, reanalyse);
    connect(normCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, reanalyse);
}

void CompareStatsTab::showRuns(const QVector<RunSource>& runs) {
    QVector<RunSource> ordered = runs;
    std::stable_sort(ordered.begin(), ordered.end(), [](const RunSource& a, const RunSource& b) {
        return kindOrder(a.kind) < kindOrder(b.kind);
    });
    runIds_.clear();
    for (const RunSource& r : ordered) runIds_ << r.runId;
    loadSteps();
    if (isVisible())
        analyse();
    else
        stale_ = true;
}

void CompareStatsTab::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (stale_) analyse();
}

void CompareStatsTab::loadSteps() {
    const QSignalBlocker block(stepCombo_);
    const qint64 previous = stepCombo_->currentData().isValid() ? stepCombo_->currentData().toLongLong() : -1;
    stepCombo_->clear();
    if (runIds_.size() < 2 || !QFileInfo::exists(paths_.dbPath)) return;
    try {
        const RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
        const std::vector<int64_t> steps =
            commonProbeSteps(store, std::vector<int64_t>(runIds_.begin(), runIds_.end()));
        for (auto it = steps.rbegin(); it != steps.rend(); ++it)  // the latest first
            stepCombo_->addItem(QString::number(*it), qint64(*it));
    } catch (const std::exception& e) {
        report_->setPlainText(QString::fromUtf8(e.what()));
    }
    const int at = stepCombo_->findData(previous);
    stepCombo_->setCurrentIndex(at >= 0 ? at : 0);
}

void CompareStatsTab::analyse() {
    stale_ = false;
    seedsNote_->hide();
    markdown_.clear();
    if (runIds_.size() < 2) {
        report_->setPlainText(
            tr("Compare two or more runs: one of each model kind per seed (a study's runs) "
               "gives per-depth intervals and the paired tests."));
        return;
    }
    if (stepCombo_->count() == 0) {
        report_->setPlainText(
            tr("The compared runs have no probe at a common step: press Probe now (the same settings for "
               "every run), or train them with the same probe_every."));
        return;
    }
    try {
        const RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
        const StudyAnalysis analysis =
            analyzeStoredRuns(store, std::vector<int64_t>(runIds_.begin(), runIds_.end()),
                              stepCombo_->currentData().toLongLong(), bucketsComboValue(normCombo_));
        const int64_t needed = seedsNeededForSignFlip();
        if (int64_t(analysis.seeds.size()) < needed) {
            seedsNote_->setText(
                tr("%1 seed(s): the exact sign-flip test over seeds cannot reach p < 0.05 (it needs %2 "
                   "seeds; "
                   "the smallest p it can give here is %3). The intervals and McNemar's test describe these "
                   "seeds only.")
                    .arg(analysis.seeds.size())
                    .arg(needed)
                    .arg(std::min(1.0, 2.0 / double(int64_t(1) << analysis.seeds.size())), 0, 'f', 3));
            seedsNote_->show();
        }
        markdown_ = QString::fromStdString(
            studyMarkdown(analysis, tr("Statistics of the compared runs").toStdString(), std::string()));
        report_->setMarkdown(markdown_);
    } catch (const std::exception& e) {
        report_->setPlainText(tr("These runs cannot be analysed as a study: %1\n\nA study pairs one run of "
                                 "each model kind per seed, all probed with the same prompts at the same "
                                 "step (`needlescope-cli study`, or Seeds in the Train view).")
                                  .arg(QString::fromUtf8(e.what())));
    }
}

}  // namespace needlescope
