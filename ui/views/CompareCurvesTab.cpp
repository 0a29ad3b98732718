#include "ui/views/CompareCurvesTab.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "core/store/RunStore.h"
#include "ui/charts/DepthCurveChart.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/views/CompareRunStyle.h"

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
    normCombo_ = new QComboBox(probes);
    normCombo_->setObjectName(QStringLiteral("probeNorm"));
    normCombo_->addItem(tr("signed"), int(Normalisation::Signed));
    normCombo_->addItem(tr("absolute"), int(Normalisation::Absolute));
    normCombo_->addItem(tr("raw"), int(Normalisation::Raw));
    probeRow->addWidget(normCombo_);
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
    updateLossCurves();
    loadProbes();
    updateDepthCurves();
}

Normalisation CompareCurvesTab::bucketNorm() const {
    return Normalisation(normCombo_->currentData().toInt());
}

void CompareCurvesTab::updateLossCurves() {
    lossChart_->clear();
    if (runs_.isEmpty() || !QFileInfo::exists(paths_.dbPath)) return;
    try {
        const RunStore store = RunStore::open(paths_.dbPath.toStdString(), true);
        for (int i = 0; i < runs_.size(); ++i) {
            const RunSource& s = runs_[i];
            for (const auto& [metric, suffix, style] : {std::tuple{"train_loss", " · train", Qt::SolidLine},
                                                        std::tuple{"val_loss", " · val", Qt::DashLine}}) {
                QVector<LossSample> samples;
                for (const MetricPoint& p : store.metrics(s.runId, metric))
                    samples.push_back({double(p.step), double(p.tokens), p.value, p.wallTime});
                if (samples.isEmpty()) continue;
                const QString name = shortName(s) + QString::fromUtf8(suffix);
                lossChart_->setSeriesStyle(name, runColor(runs_, i), style);
                lossChart_->appendSamples(name, samples);
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
        series.push_back(d);
    }
    depthChart_->setSeries(series);
    depthChart_->setTitle(
        tr("Last token's attention to the answer and to the noise vs needle depth · step %1").arg(step));
    probeInfo_->setText(
        tr("Stored probe: context %1 tokens · %2 buckets · mean ± std over samples · retrieval "
           "(mean over depths): %3")
            .arg(context)
            .arg(normCombo_->currentText())
            .arg(accuracy.join(QStringLiteral(", "))));
}

}  // namespace needlescope
