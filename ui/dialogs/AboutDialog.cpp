#include "ui/dialogs/AboutDialog.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QSettings>
#include <QSysInfo>
#include <QThread>
#include <QVBoxLayout>
#include <exception>

#include "core/util/BlasKernel.h"
#include "core/util/Runtime.h"
#include "ui/settings/SettingsKeys.h"

namespace needlescope {

QString AboutDialog::appVersion() { return QStringLiteral(NEEDLESCOPE_UI_VERSION); }

QString AboutDialog::versionText() {
    QString torch, blas;
    try {
        torch = QString::fromStdString(torchVersion());
    } catch (const std::exception& e) {
        torch = QString::fromStdString(e.what());
    }
    try {
        blas = QString::fromStdString(blasInfo() + "; " + blasCoreSummary());
    } catch (const std::exception& e) {
        blas = QString::fromStdString(e.what());
    }
    QStringList lines;
    lines << tr("Needlescope %1").arg(appVersion());
    lines << tr("Qt %1 (built with %2)").arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR));
    lines << tr("LibTorch %1").arg(torch);
    lines << tr("BLAS: %1").arg(blas);
    const int setting = QSettings().value(app::kSettingThreads, 0).toInt();
    lines << tr("Threads: %1 for training (Settings), %2 cores")
                 .arg(setting > 0 ? QString::number(setting) : tr("all cores"))
                 .arg(QThread::idealThreadCount());
    lines << tr("System: %1 (%2)").arg(QSysInfo::prettyProductName(), QSysInfo::currentCpuArchitecture());
    return lines.join('\n');
}

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("About Needlescope"));
    setObjectName(QStringLiteral("aboutDialog"));
    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/needlescope.svg")).pixmap(96, 96));
    icon->setAlignment(Qt::AlignTop);
    auto* text = new QLabel(this);
    text->setTextFormat(Qt::RichText);
    text->setWordWrap(true);
    text->setText(tr(
        "<h2>Needlescope</h2>"
        "<p>A workbench for one question: does a Differential Transformer (DIFF) put more of its attention "
        "on the answer and less on noise than a standard Transformer? Train both on WikiText side by "
        "side, place a needle at any depth and read every head.</p>"));
    auto* versions = new QLabel(versionText(), this);
    versions->setObjectName(QStringLiteral("versions"));
    versions->setTextInteractionFlags(Qt::TextSelectableByMouse);
    versions->setWordWrap(true);
    auto* right = new QVBoxLayout();
    right->addWidget(text);
    right->addWidget(versions);
    auto* top = new QHBoxLayout();
    top->addWidget(icon);
    top->addLayout(right, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &AboutDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

}  // namespace needlescope
