#include "ui/views/ProbeNowBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include "ui/style/Palette.h"

namespace needlescope {

namespace {

QString runList(const QVector<qint64>& ids) {
    QStringList parts;
    for (qint64 id : ids) parts << QString::number(id);
    return parts.join(QStringLiteral(", "));
}

}  // namespace

ProbeNowBar::ProbeNowBar(const app::AppPaths& paths, QWidget* parent) : QWidget(parent), paths_(paths) {
    setObjectName(QStringLiteral("probeNowBar"));
    worker_ = new ProbeWorker(this);
    label_ = new QLabel(this);
    label_->setObjectName(QStringLiteral("probeMessage"));
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("probeProgress"));
    progress_->setTextVisible(true);
    progress_->setFormat(QStringLiteral("%v / %m prompts"));
    progress_->setMinimumWidth(120);
    progress_->setMaximumWidth(260);
    button_ = new QPushButton(tr("Cancel"), this);
    button_->setObjectName(QStringLiteral("probeCancelButton"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label_, 1);
    layout->addWidget(progress_);
    layout->addWidget(button_);
    hide();

    connect(button_, &QPushButton::clicked, this, [this] {
        if (worker_->isBusy())
            cancel();
        else
            hide();  // "Close" after the outcome
    });
    connect(worker_, &ProbeWorker::progress, this, [this](qint64 done, qint64 total) {
        progress_->setRange(0, int(total));
        progress_->setValue(int(done));
    });
    connect(worker_, &ProbeWorker::finished, this, &ProbeNowBar::onFinished);
    connect(worker_, &ProbeWorker::busyChanged, this, &ProbeNowBar::busyChanged);
}

bool ProbeNowBar::isBusy() const { return worker_->isBusy(); }
QString ProbeNowBar::message() const { return label_->text(); }

void ProbeNowBar::showMessage(const QString& text, bool error) {
    label_->setText(text);
    label_->setStyleSheet(error ? textColorStyle(errorColor()) : QString());
    show();
}

bool ProbeNowBar::probeRuns(const QVector<qint64>& runIds, const QString& what) {
    if (worker_->isBusy()) {
        Q_EMIT statusMessage(tr("A probe is already running; wait for it or cancel it first"), 5000);
        return false;
    }
    if (runIds.isEmpty()) {
        Q_EMIT statusMessage(tr("Select the runs to probe first"), 4000);
        return false;
    }
    what_ = what.isEmpty() ? tr("run(s) %1").arg(runList(runIds)) : what;
    const qint64 total = qint64(settings_.depths.size()) * settings_.samples * runIds.size();
    progress_->setRange(0, int(total));
    progress_->setValue(0);
    progress_->show();
    button_->setText(tr("Cancel"));
    button_->setToolTip(tr("Stop the probe before its next prompt; nothing is stored"));
    showMessage(tr("Probing %1 at the latest checkpoint: %2 depth(s) × %3 sample(s)…")
                    .arg(what_)
                    .arg(settings_.depths.size())
                    .arg(settings_.samples),
                false);
    return worker_->start(paths_, runIds, settings_);
}

void ProbeNowBar::cancel() {
    if (!worker_->isBusy()) return;
    worker_->cancel();
    button_->setEnabled(false);
    label_->setText(tr("Cancelling the probe of %1…").arg(what_));
}

void ProbeNowBar::onFinished(const ProbeJobResult& result) {
    button_->setEnabled(true);
    button_->setText(tr("Close"));
    button_->setToolTip(tr("Hide this message"));
    progress_->hide();
    if (result.ok) {
        QStringList steps;
        for (qint64 s : result.steps) steps << QString::number(s);
        QString text = tr("Probed %1 (step %2): %n row(s) stored.", nullptr, int(result.storedRows))
                           .arg(what_, steps.join(QStringLiteral(", ")));
        if (!result.warnings.isEmpty()) text += QLatin1Char(' ') + result.warnings.join(QStringLiteral("; "));
        showMessage(text, false);
        Q_EMIT statusMessage(text, 5000);
        Q_EMIT probeStored(result.runIds);
    } else if (result.cancelled) {
        showMessage(tr("Probe of %1 cancelled; nothing was stored.").arg(what_), false);
    } else {
        showMessage(tr("Cannot probe %1: %2").arg(what_, result.error), true);
    }
    Q_EMIT probeEnded(result);
}

}  // namespace needlescope
