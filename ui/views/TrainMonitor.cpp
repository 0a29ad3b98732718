#include "ui/views/TrainMonitor.h"

#include <QFontDatabase>
#include <QFrame>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextCursor>
#include <QTime>
#include <QVBoxLayout>
#include <cmath>
#include <exception>
#include <map>

#include "core/model/ModelConfig.h"
#include "core/store/RunStore.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/style/Palette.h"

namespace needlescope {

namespace {

QString formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("—");
    const qint64 total = static_cast<qint64>(std::llround(seconds));
    const qint64 h = total / 3600, m = (total / 60) % 60, s = total % 60;
    if (h > 0) return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QChar('0')).arg(s, 2, 10, QChar('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QChar('0'));
}

QString formatRate(double perSecond) {
    if (!std::isfinite(perSecond) || perSecond <= 0) return QStringLiteral("—");
    if (perSecond >= 1e6) return QString::number(perSecond / 1e6, 'f', 2) + QStringLiteral(" M");
    if (perSecond >= 1e3) return QString::number(perSecond / 1e3, 'f', 1) + QStringLiteral(" k");
    return QString::number(perSecond, 'f', 0);
}

// "standard train", "diff val", … — the chart's series names.
QString seriesName(const QString& kind, bool validation) {
    return kind + (validation ? QStringLiteral(" val") : QStringLiteral(" train"));
}

// A small "title over value" read-out.
QFrame* statCard(QWidget* parent, const QString& title, QLabel** value, const QString& tip) {
    auto* card = new QFrame(parent);
    card->setFrameShape(QFrame::StyledPanel);
    card->setToolTip(tip);
    auto* v = new QVBoxLayout(card);
    v->setContentsMargins(8, 4, 8, 4);
    v->setSpacing(0);
    auto* t = new QLabel(title, card);
    QFont small = t->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    t->setFont(small);
    t->setStyleSheet(QStringLiteral("color: palette(mid);"));
    *value = new QLabel(QStringLiteral("—"), card);
    QFont big = (*value)->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    (*value)->setFont(big);
    (*value)->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(t);
    v->addWidget(*value);
    return card;
}

}  // namespace

TrainMonitor::TrainMonitor(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* header = new QHBoxLayout();
    stateLabel_ = new QLabel(tr("Idle"), this);
    stateLabel_->setObjectName(QStringLiteral("stateLabel"));
    QFont f = stateLabel_->font();
    f.setPointSizeF(f.pointSizeF() * 1.3);
    f.setBold(true);
    stateLabel_->setFont(f);
    groupLabel_ = new QLabel(this);
    groupLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    groupLabel_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    header->addWidget(stateLabel_);
    header->addSpacing(12);
    header->addWidget(groupLabel_, 1);
    layout->addLayout(header);

    auto* cards = new QHBoxLayout();
    cards->addWidget(statCard(this, tr("Step"), &stepValue_, tr("Steps completed / total")));
    cards->addWidget(
        statCard(this, tr("Tokens/s"), &speedValue_, tr("Training throughput, all models together")));
    cards->addWidget(statCard(this, tr("Elapsed"), &elapsedValue_,
                              tr("Training time (including earlier sessions of a resumed run)")));
    cards->addWidget(statCard(this, tr("ETA"), &etaValue_, tr("Estimated time to the last step")));
    cards->addWidget(
        statCard(this, tr("Last loss (train / val)"), &lossValue_, tr("Latest losses per model")), 2);
    stepValue_->setObjectName(QStringLiteral("stepValue"));
    speedValue_->setObjectName(QStringLiteral("speedValue"));
    etaValue_->setObjectName(QStringLiteral("etaValue"));
    elapsedValue_->setObjectName(QStringLiteral("elapsedValue"));
    lossValue_->setTextFormat(Qt::RichText);
    layout->addLayout(cards);

    auto* vertical = new QSplitter(Qt::Vertical, this);
    vertical->setChildrenCollapsible(false);
    chart_ = new LossChartWidget(vertical);
    chart_->setObjectName(QStringLiteral("lossChart"));
    chart_->setTitle(tr("Loss — train (solid) and validation (dashed)"));
    chart_->setYAxisTitle(tr("cross-entropy (nats)"));
    chart_->setMinimumHeight(260);
    restoreChartOptions();
    connect(chart_, &LossChartWidget::viewOptionsChanged, this, &TrainMonitor::saveChartOptions);
    vertical->addWidget(chart_);
    vertical->addWidget(buildBottom(vertical));
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 1);
    vertical->setSizes({480, 200});
    layout->addWidget(vertical, 1);
}

QWidget* TrainMonitor::buildBottom(QWidget* parent) {
    auto* bottom = new QSplitter(Qt::Horizontal, parent);
    bottom->setChildrenCollapsible(false);
    auto* lambdaBox = new QGroupBox(tr("λ per layer"), bottom);
    auto* lambdaLayout = new QVBoxLayout(lambdaBox);
    lambdaLayout->setContentsMargins(4, 4, 4, 4);
    lambdaTable_ = new QTableWidget(0, kLambdaColumns, lambdaBox);
    lambdaTable_->setObjectName(QStringLiteral("lambdaTable"));
    lambdaTable_->setHorizontalHeaderLabels({tr("L"), tr("DIFF λ"), tr("init"), tr("V2 λ")});
    lambdaTable_->horizontalHeaderItem(0)->setToolTip(tr("Layer"));
    lambdaTable_->horizontalHeaderItem(2)->setToolTip(tr("DIFF's λ init of the layer"));
    lambdaTable_->horizontalHeaderItem(3)->setToolTip(
        tr("DIFF V2: the mean of λ_t over every token and head of the last training batch"));
    lambdaTable_->verticalHeader()->hide();
    lambdaTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    lambdaTable_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    lambdaTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    lambdaTable_->setSelectionMode(QAbstractItemView::NoSelection);
    lambdaTable_->setToolTip(
        tr("λ re-weights the second softmax map: A = softmax₁ − λ·softmax₂. DIFF learns one λ per layer "
           "(from λ init); DIFF V2 computes λ per token and head, shown here as its mean over the last batch "
           "(Inspect shows it per token)"));
    lambdaLayout->addWidget(lambdaTable_);
    auto* logBox = new QGroupBox(tr("Log"), bottom);
    auto* logLayout = new QVBoxLayout(logBox);
    logLayout->setContentsMargins(4, 4, 4, 4);
    log_ = new QPlainTextEdit(logBox);
    log_->setObjectName(QStringLiteral("logPane"));
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setLineWrapMode(QPlainTextEdit::NoWrap);
    log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    log_->setPlaceholderText(tr("Data preparation, tokenizer training and checkpoints are logged here."));
    logLayout->addWidget(log_);
    bottom->addWidget(lambdaBox);
    bottom->addWidget(logBox);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 3);
    return bottom;
}

// The chart's view options (smoothing, raw, log-y, x axis) persist between sessions.
void TrainMonitor::restoreChartOptions() {
    QSettings settings;
    chart_->setSmoothing(settings.value(app::kSettingTrainChartSmoothing, chart_->smoothing()).toDouble());
    chart_->setSmoothingEnabled(
        settings.value(app::kSettingTrainChartSmoothingOn, chart_->smoothingEnabled()).toBool());
    chart_->setShowRaw(settings.value(app::kSettingTrainChartRaw, chart_->showRaw()).toBool());
    chart_->setLogY(settings.value(app::kSettingTrainChartLogY, chart_->logY()).toBool());
    const bool tokens = settings.value(app::kSettingTrainChartXTokens, false).toBool();
    chart_->setXAxis(lossXAxisFromName(settings.value(app::kSettingTrainChartXAxis).toString(),
                                       tokens ? LossXAxis::Tokens : LossXAxis::Steps));
}

void TrainMonitor::saveChartOptions() {
    QSettings settings;
    settings.setValue(app::kSettingTrainChartSmoothing, chart_->smoothing());
    settings.setValue(app::kSettingTrainChartSmoothingOn, chart_->smoothingEnabled());
    settings.setValue(app::kSettingTrainChartRaw, chart_->showRaw());
    settings.setValue(app::kSettingTrainChartLogY, chart_->logY());
    settings.setValue(app::kSettingTrainChartXTokens, chart_->xAxis() == LossXAxis::Tokens);
    settings.setValue(app::kSettingTrainChartXAxis, lossXAxisName(chart_->xAxis()));
}

void TrainMonitor::reset(const QStringList& kinds) {
    chart_->clear();
    lastSeriesStep_.clear();
    lastTrainLoss_.clear();
    lastValLoss_.clear();
    for (const QString& kind : kinds) {
        chart_->setSeriesStyle(seriesName(kind, false), modelColor(kind), Qt::SolidLine);
        chart_->setSeriesStyle(seriesName(kind, true), modelColor(kind), Qt::DashLine);
    }
    lambdaTable_->setRowCount(0);
    for (QLabel* value : {stepValue_, speedValue_, elapsedValue_, etaValue_, lossValue_})
        value->setText(QStringLiteral("—"));
    lastStep_ = 0;
    totalSteps_ = 0;
}

void TrainMonitor::loadHistory(const QString& dbPath, const QVector<qint64>& runIds) {
    try {
        RunStore store = RunStore::open(dbPath.toStdString());
        for (qint64 id : runIds) {
            const QString kind = QString::fromStdString(store.run(id).kind);
            for (bool validation : {false, true}) {
                QVector<LossSample> samples;
                for (const MetricPoint& p : store.metrics(id, validation ? "val_loss" : "train_loss"))
                    samples.push_back({double(p.step), double(p.tokens), p.value, p.wallTime});
                const QString name = seriesName(kind, validation);
                chart_->appendSamples(name, samples);
                if (!samples.isEmpty()) lastSeriesStep_[name] = samples.back().step;
            }
        }
    } catch (const std::exception& e) {
        appendLog(tr("could not load the earlier curves: %1").arg(QString::fromStdString(e.what())));
    }
}

void TrainMonitor::showMetrics(const QVector<ModelMetrics>& updates) {
    QHash<QString, QVector<LossSample>> batches;
    std::map<ModelKind, QVector<double>> lambdas;  // the latest of each kind in this batch of updates
    auto add = [&](const QString& name, const LossSample& sample) {
        // A resumed run re-logs steps after its checkpoint: drop the stale tail first (no zig-zag).
        auto last = lastSeriesStep_.find(name);
        if (last != lastSeriesStep_.end() && sample.step <= *last && !batches.contains(name))
            chart_->truncateAfterStep(name, sample.step - 1);
        batches[name].push_back(sample);
        lastSeriesStep_[name] = sample.step;
    };
    for (const ModelMetrics& u : updates) {
        const QString kind = QString::fromStdString(kindName(u.kind));
        add(seriesName(kind, false), {double(u.step), double(u.tokens), u.trainLoss, u.wallTime});
        lastTrainLoss_[kind] = u.trainLoss;
        if (u.hasValidation) {
            add(seriesName(kind, true), {double(u.step), double(u.tokens), u.valLoss, u.valWallTime});
            lastValLoss_[kind] = u.valLoss;
        }
        if (!u.lambdas.empty()) lambdas[u.kind] = QVector<double>(u.lambdas.begin(), u.lambdas.end());
    }
    for (auto it = batches.cbegin(); it != batches.cend(); ++it) chart_->appendSamples(it.key(), it.value());
    for (const auto& [kind, values] : lambdas) showLambdas(kind, values);

    QStringList parts;
    for (const QString& kind :
         {QStringLiteral("standard"), QStringLiteral("diff"), QStringLiteral("diff2")}) {
        if (!lastTrainLoss_.contains(kind)) continue;
        const QString label = kind == QLatin1String("standard") ? QStringLiteral("std") : kindLabel(kind);
        QString text =
            QStringLiteral("<span style='color:%1'>%2</span> %3")
                .arg(modelColor(kind).name(), label, QString::number(lastTrainLoss_.value(kind), 'f', 3));
        if (lastValLoss_.contains(kind))
            text += QStringLiteral(" / ") + QString::number(lastValLoss_.value(kind), 'f', 3);
        parts << text;
    }
    if (!parts.isEmpty()) lossValue_->setText(parts.join(QStringLiteral(" &nbsp; ")));
}

// DIFF fills the λ column (its λ init beside it), DIFF V2 the last column; a kind not trained shows "—".
void TrainMonitor::showLambdas(ModelKind kind, const QVector<double>& lambdas) {
    if (kind != ModelKind::Diff && kind != ModelKind::Diff2) return;
    if (lambdaTable_->rowCount() < lambdas.size()) {
        const int from = lambdaTable_->rowCount();
        lambdaTable_->setRowCount(lambdas.size());
        for (int l = from; l < lambdas.size(); ++l) {
            for (int c = 0; c < kLambdaColumns; ++c) {
                lambdaTable_->setItem(l, c, new QTableWidgetItem(QStringLiteral("—")));
                lambdaTable_->item(l, c)->setTextAlignment(Qt::AlignCenter);
            }
            lambdaTable_->item(l, 0)->setText(QString::number(l));
        }
    }
    const int column = kind == ModelKind::Diff ? 1 : 3;
    for (int l = 0; l < lambdas.size(); ++l) {
        lambdaTable_->item(l, column)->setText(QString::number(lambdas[l], 'f', 3));
        if (kind == ModelKind::Diff)
            lambdaTable_->item(l, 2)->setText(QString::number(lambdaInit(l), 'f', 3));
    }
}

void TrainMonitor::showProgress(const TrainingProgress& p) {
    lastStep_ = p.step;
    totalSteps_ = p.totalSteps;
    stepValue_->setText(
        QStringLiteral("%1 / %2").arg(QLocale().toString(p.step), QLocale().toString(p.totalSteps)));
    speedValue_->setText(formatRate(p.tokensPerSecond));
    elapsedValue_->setText(formatDuration(p.elapsedSeconds));
    etaValue_->setText(p.step >= p.totalSteps ? QStringLiteral("0:00") : formatDuration(p.etaSeconds));
}

void TrainMonitor::trainingEnded() { etaValue_->setText(QStringLiteral("—")); }

void TrainMonitor::setState(const QString& text, const QColor& color) {
    stateLabel_->setText(text);
    stateLabel_->setStyleSheet(color.isValid() ? textColorStyle(color) : QString());
}

void TrainMonitor::setGroupText(const QString& text) { groupLabel_->setText(text); }

void TrainMonitor::appendLog(const QString& line) {
    // Core logs a preparation stage when it starts and again when it ends: mark the end on the same line.
    if (!line.isEmpty() && line == lastLogLine_) {
        if (!lastLogDone_) {
            QTextCursor cursor(log_->document()->lastBlock());
            cursor.movePosition(QTextCursor::EndOfBlock);
            cursor.insertText(tr(" … done"));
            lastLogDone_ = true;
        }
        return;
    }
    lastLogLine_ = line;
    lastLogDone_ = false;
    QScrollBar* bar = log_->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 2;
    log_->appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
    if (atEnd) bar->setValue(bar->maximum());
}

}  // namespace needlescope
