#include "ui/views/CompareCurvesTab.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>
#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "core/store/RunStore.h"
#include "ui/charts/DepthCurveChart.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/views/CompareRunStyle.h"

namespace needlescope {

CompareCurvesTab::CompareCurvesTab(const needlescope::app::AppPaths& paths, QWidget* parent)
    : QWidget(parent), paths_(paths) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    lossChart_ = new LossChartWidget(this);
    lossChart_->setTitle(tr("Loss (train solid, validation dashed)"));
    lossChart_->setYAxisTitle(tr("loss"));
    layout->addWidget(lossChart_, 1);
    auto* probeRow = new QHBoxLayout;
    probeRow->addWidget(new QLabel(tr("Probe at"), this));
    stepSlider_ = new QSlider(Qt::Horizontal, this);
    stepSlider_->setRange(0, 0);
    stepSlider_->setToolTip(tr("The stored probes over training: how answer and noise attention evolved"));
    probeRow->addWidget(stepSlider_, 1);
    stepLabel_ = new QLabel(this);
    stepLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("step 000000 (00 of 00)")));
    probeRow->addWidget(stepLabel_);
    probeRow->addWidget(new QLabel(tr("Buckets"), this));
    normCombo_ = new QComboBox(this);
    normCombo_->setObjectName(QStringLiteral("probeNorm"));
    normCombo_->addItem(tr("signed"), int(Normalisation::Signed));
    normCombo_->addItem(tr("absolute"), int(Normalisation::Absolute));
    normCombo_->addItem(tr("raw"), int(Normalisation::Raw));
    probeRow->addWidget(normCombo_);
    layout->addLayout(probeRow);
    depthChart_ = new DepthCurveChart(this);
    layout->addWidget(depthChart_, 1);
    probeInfo_ = new QLabel(this);
    probeInfo_->setWordWrap(true);
    layout->addWidget(probeInfo_);

    connect(stepSlider_, &QSlider::valueChanged, this, [this](int) { updateDepthCurves(); });
    connect(normCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int) { updateDepthCurves(); });
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
                    samples.push_back({double(p.step), double(p.tokens), p.value});
                if (samples.isEmpty()) continue;
                const QString name = shortName(s) + QString::fromUtf8(suffix);
                lossChart_->setSeriesStyle(name, runColor(i), style);
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
        probeInfo_->setText(runs_.isEmpty()
                                ? QString()
                                : tr("No stored needle probes for these runs (set probe_every when "
                                     "training, or run `needlescope-cli probe`)."));
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
        d.color = runColor(i);
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
