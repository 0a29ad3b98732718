#include "ui/views/CompareCurvesTab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>

#include "core/store/RunStore.h"
#include "ui/charts/DepthCurveChart.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/charts/MeanBand.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/style/Palette.h"
#include "ui/views/CompareRunStyle.h"
#include "ui/widgets/BucketsCombo.h"

namespace needlescope {

CompareCurvesTab::CompareCurvesTab(const needlescope::app::AppPaths& paths, QWidget* parent)
    : QWidget(parent), paths_(paths) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    // Loss above, probes below, split by the user; neither can be squeezed to nothing (at 1024 × 640 both
    // stay readable).
    auto* split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("curvesSplitter"));
    split->setChildrenCollapsible(false);
    layout->addWidget(split, 1);
    lossChart_ = new LossChartWidget(split);
    lossChart_->setObjectName(QStringLiteral("compareLossChart"));
    lossChart_->setTitle(tr("Loss (train solid, validation dashed)"));
    lossChart_->setYAxisTitle(tr("loss"));
    lossChart_->setMinimumHeight(kMinChartHeight);
    restoreChartOptions();
    connect(lossChart_, &LossChartWidget::viewOptionsChanged, this, &CompareCurvesTab::saveChartOptions);
    split->addWidget(lossChart_);
    auto* probes = new QWidget(split);
    auto* probeLayout = new QVBoxLayout(probes);
    probeLayout->setContentsMargins(0, 0, 0, 0);
    auto* probeRow = new QHBoxLayout;
    probeRow->addWidget(new QLabel(tr("Probe at"), probes));
    stepSlider_ = new QSlider(Qt::Horizontal, probes);
    stepSlider_->setRange(0, 0);
    stepSlider_->setToolTip(tr("The stored probes over training: how answer and noise attention evolved"));
    probeRow->addWidget(stepSlider_, 1);
    stepLabel_ = new QLabel(probes);
    stepLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("step 000000 (00 of 00)")));
    probeRow->addWidget(stepLabel_);
    probeRow->addWidget(new QLabel(tr("Buckets"), probes));
    normCombo_ = makeBucketsCombo(QStringLiteral("probeNorm"), probes);
    probeRow->addWidget(normCombo_);
    // In the probe row to spare height, but it groups both charts.
    meanByKind_ = new QCheckBox(tr("Mean by kind"), probes);
    meanByKind_->setObjectName(QStringLiteral("meanByKind"));
    meanByKind_->setChecked(true);
    meanByKind_->setToolTip(
        tr("Several runs of one model kind (e.g. the seeds of a study) as their mean: a bold line over the "
           "faint runs in both charts, and on the depth charts a shaded band from the lowest to the highest "
           "run"));
    probeRow->addWidget(meanByKind_);
    probeLayout->addLayout(probeRow);
    depthChart_ = new DepthCurveChart(probes);
    depthChart_->setMinimumHeight(200);
    probeLayout->addWidget(depthChart_, 1);
    probeInfo_ = new QLabel(probes);
    probeInfo_->setWordWrap(true);
    probeLayout->addWidget(probeInfo_);
    split->addWidget(probes);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 400});  // proportions: the loss chart gets the larger share

    connect(stepSlider_, &QSlider::valueChanged, this, [this](int) { updateDepthCurves(); });
    connect(meanByKind_, &QCheckBox::toggled, this, [this](bool) {
        updateLossCurves();
        updateDepthCurves();
    });
    connect(normCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int) { updateDepthCurves(); });
}

// The loss chart's view options (smoothing, raw, log-y, x axis) persist between sessions.
void CompareCurvesTab::restoreChartOptions() {
    const QSettings settings;
    LossChartWidget& c = *lossChart_;
    c.setSmoothing(settings.value(app::kSettingCompareChartSmoothing, c.smoothing()).toDouble());
    c.setSmoothingEnabled(
        settings.value(app::kSettingCompareChartSmoothingOn, c.smoothingEnabled()).toBool());
    c.setShowRaw(settings.value(app::kSettingCompareChartRaw, c.showRaw()).toBool());
    c.setLogY(settings.value(app::kSettingCompareChartLogY, c.logY()).toBool());
    c.setXAxis(lossXAxisFromName(settings.value(app::kSettingCompareChartXAxis).toString(), c.xAxis()));
}

void CompareCurvesTab::saveChartOptions() {
    QSettings settings;
    settings.setValue(app::kSettingCompareChartSmoothing, lossChart_->smoothing());
    settings.setValue(app::kSettingCompareChartSmoothingOn, lossChart_->smoothingEnabled());
    settings.setValue(app::kSettingCompareChartRaw, lossChart_->showRaw());
    settings.setValue(app::kSettingCompareChartLogY, lossChart_->logY());
    settings.setValue(app::kSettingCompareChartXAxis, lossXAxisName(lossChart_->xAxis()));
}

void CompareCurvesTab::showRuns(const QVector<RunSource>& runs) {
    runs_ = runs;
    meanByKind_->setEnabled(!repeatedKinds().isEmpty());
    updateLossCurves();
    loadProbes();
    updateDepthCurves();
}

Normalisation CompareCurvesTab::bucketNorm() const { return bucketsComboValue(normCombo_); }

void CompareCurvesTab::updateLossCurves() {
    lossChart_->clear();
    if (runs_.isEmpty() || !QFileInfo::exists(paths_.dbPath)) return;
    try {
        const RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
        const QStringList grouped = groupedKinds();
        for (const auto& [metric, suffix, style] : {std::tuple{"train_loss", " · train", Qt::SolidLine},
                                                    std::tuple{"val_loss", " · val", Qt::DashLine}}) {
            std::map<QString, QVector<QVector<LossSample>>> byKind;  // grouped kinds only
            for (int i = 0; i < runs_.size(); ++i) {
                const RunSource& s = runs_[i];
                QVector<LossSample> samples;
                for (const MetricPoint& p : store.metrics(s.runId, metric))
                    samples.push_back({double(p.step), double(p.tokens), p.value, p.wallTime});
                if (samples.isEmpty()) continue;
                const QString name = shortName(s) + QString::fromUtf8(suffix);
                const bool faint = grouped.contains(s.kind);
                lossChart_->setSeriesStyle(name, faint ? modelColor(s.kind) : runColor(runs_, i), style);
                lossChart_->setSeriesFaint(name, faint);
                lossChart_->appendSamples(name, samples);
                if (faint) byKind[s.kind].push_back(samples);
            }
            for (const QString& kind : grouped) {
                const auto it = byKind.find(kind);
                if (it == byKind.end()) continue;
                QVector<LossSample> mean;
                for (const MeanBandSample& m : meanOverCurves(it->second)) mean.push_back(m.mean);
                if (mean.isEmpty()) continue;
                const QString name = meanName(kind, int(it->second.size())) + QString::fromUtf8(suffix);
                lossChart_->setSeriesStyle(name, modelColor(kind), style);
                lossChart_->appendSamples(name, mean);
            }
        }
    } catch (const std::exception& e) {
        Q_EMIT statusMessage(QString::fromUtf8(e.what()), 6000);
    }
    lossChart_->refreshNow();
}

void CompareCurvesTab::loadProbes() {
    probeRows_.clear();
    std::set<qint64> steps;
    if (!runs_.isEmpty() && QFileInfo::exists(paths_.dbPath)) {
        try {
            const RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
            for (const RunSource& s : runs_) {
                auto rows = store.probeRows(s.runId);
                for (const ProbeRow& r : rows) steps.insert(r.step);
                probeRows_[s.runId] = std::move(rows);
            }
        } catch (const std::exception& e) {
            Q_EMIT statusMessage(QString::fromUtf8(e.what()), 6000);
        }
    }
    const qint64 previous =
        stepSlider_->value() < probeSteps_.size() ? probeSteps_[stepSlider_->value()] : -1;
    probeSteps_ = QVector<qint64>(steps.begin(), steps.end());
    const QSignalBlocker block(stepSlider_);
    stepSlider_->setRange(0, std::max(0, int(probeSteps_.size()) - 1));
    const int at = int(probeSteps_.indexOf(previous));
    stepSlider_->setValue(at >= 0 ? at : stepSlider_->maximum());  // the latest probe by default
    stepSlider_->setEnabled(probeSteps_.size() > 1);
}

void CompareCurvesTab::updateDepthCurves() {
    if (probeSteps_.isEmpty()) {
        depthChart_->clear();
        depthChart_->setTitle(QString());
        probeInfo_->setText(
            runs_.isEmpty()
                ? QString()
                : tr("No stored needle probes for these runs: press Probe now (or set probe_every "
                     "when training)."));
        stepLabel_->setText(tr("—"));
        return;
    }
    const int index = std::clamp(stepSlider_->value(), 0, int(probeSteps_.size()) - 1);
    const qint64 step = probeSteps_[index];
    stepLabel_->setText(tr("step %1 (%2 of %3)").arg(step).arg(index + 1).arg(probeSteps_.size()));
    QVector<DepthSeries> series;
    QStringList accuracy;
    qint64 context = 0;
    const QStringList grouped = groupedKinds();
    std::map<QString, QVector<DepthSeries>> byKind;  // the runs of each grouped kind
    for (int i = 0; i < runs_.size(); ++i) {
        const RunSource& s = runs_[i];
        const auto it = probeRows_.find(s.runId);
        if (it == probeRows_.end() || it->second.empty()) continue;
        // The probe at this step, or the run's latest one before it.
        std::optional<int64_t> at;
        for (const ProbeRow& r : it->second)
            if (r.step <= step && (!at || r.step > *at)) at = r.step;
        if (!at) continue;
        const std::optional<ProbeCurve> curve = probeCurve(it->second, at, bucketNorm());
        if (!curve) continue;
        DepthSeries d;
        d.name = shortName(s) + (*at != step ? tr(" (step %1)").arg(*at) : QString());
        d.color = runColor(runs_, i);
        double hits = 0;
        for (const DepthPoint& p : curve->points) {
            d.depths << p.depth;
            d.answerMean << p.answerMean;
            d.answerStd << p.answerStd;
            d.noiseMean << p.noiseMean;
            d.noiseStd << p.noiseStd;
            hits += p.accuracy;
        }
        context = curve->contextLength;
        if (!curve->points.empty())
            accuracy << tr("%1 %2 %")
                            .arg(shortName(s))
                            .arg(100.0 * hits / double(curve->points.size()), 0, 'f', 0);
        if (grouped.contains(s.kind)) {
            d.faint = true;
            d.color = modelColor(s.kind);
            byKind[s.kind].push_back(d);
        }
        series.push_back(d);
    }
    for (const QString& kind : grouped) {
        const auto it = byKind.find(kind);
        if (it == byKind.end()) continue;
        if (it->second.size() > 1) {
            series.push_back(kindMean(kind, it->second));
            continue;
        }
        for (DepthSeries& d : series)  // the only run of its kind probed by this step: drawn as usual
            if (d.name == it->second.front().name) d.faint = false;
    }
    depthChart_->setSeries(series);
    depthChart_->setTitle(
        tr("Last token's attention to the answer and to the noise vs needle depth · step %1").arg(step));
    probeInfo_->setText(
        tr("Stored probe: context %1 tokens · %2 buckets · mean ± std over samples (a kind's mean: "
           "the mean of its runs, band from the lowest to the highest) · retrieval (mean over depths): %3")
            .arg(context)
            .arg(normCombo_->currentText())
            .arg(accuracy.join(QStringLiteral(", "))));
}

// The kinds with two or more of the compared runs, in the order they first appear.
QStringList CompareCurvesTab::repeatedKinds() const {
    QStringList seen, repeated;
    for (const RunSource& s : runs_) {
        if (seen.contains(s.kind) && !repeated.contains(s.kind)) repeated << s.kind;
        seen << s.kind;
    }
    return repeated;
}

QStringList CompareCurvesTab::groupedKinds() const {
    return meanByKind_->isChecked() ? repeatedKinds() : QStringList();
}

QString CompareCurvesTab::meanName(const QString& kind, int runs) const {
    return tr("%1 mean of %2").arg(kindLabel(kind)).arg(runs);
}

// The mean of a kind's runs per depth (over the depths every run has), with their min–max as the band.
DepthSeries CompareCurvesTab::kindMean(const QString& kind, const QVector<DepthSeries>& runs) const {
    DepthSeries mean;
    mean.name = meanName(kind, int(runs.size()));
    mean.color = modelColor(kind);
    for (int k = 0; k < runs.front().depths.size(); ++k) {
        const double depth = runs.front().depths[k];
        QVector<double> answers, noises;
        for (const DepthSeries& r : runs) {
            const int at = int(r.depths.indexOf(depth));
            if (at < 0 || at >= r.answerMean.size() || at >= r.noiseMean.size()) break;
            answers << r.answerMean[at];
            noises << r.noiseMean[at];
        }
        if (answers.size() != runs.size()) continue;  // a depth some run lacks
        const auto fill = [](const QVector<double>& v, QVector<double>& m, QVector<double>& lo,
                             QVector<double>& hi) {
            m << std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
            lo << *std::min_element(v.begin(), v.end());
            hi << *std::max_element(v.begin(), v.end());
        };
        mean.depths << depth;
        fill(answers, mean.answerMean, mean.answerLow, mean.answerHigh);
        fill(noises, mean.noiseMean, mean.noiseLow, mean.noiseHigh);
    }
    return mean;
}

}  // namespace needlescope
