// `needlescope`: the desktop workbench (Train, Inspect, Runs, Compare).
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <cstring>
#include <exception>

#include "core/util/BlasKernel.h"
#include "core/util/Runtime.h"
#include "ui/MainWindow.h"
#include "ui/dialogs/AboutDialog.h"
#include "ui/dialogs/SettingsDialog.h"
#include "ui/settings/AppPaths.h"
#include "ui/settings/SettingsKeys.h"

namespace {

// Before anything touches QSettings or QStandardPaths (the names are shared with needlescope-cli).
void setApplicationNames() {
    needlescope::app::setApplicationNames();
    QCoreApplication::setApplicationVersion(needlescope::AboutDialog::appVersion());
}

void describeOptions(QCommandLineParser& parser) {
    parser.setApplicationDescription(QStringLiteral(
        "Trains a standard and a Differential Transformer side by side and compares their attention."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("db"), QStringLiteral("Run store (SQLite) path."), QStringLiteral("file")},
        {QStringLiteral("data"), QStringLiteral("Corpus folder (WikiText-2/103 or train.txt/valid.txt)."),
         QStringLiteral("dir")},
    });
}

// --help and --version print and exit without needing a display.
bool onlyPrints(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"-h", "--help", "--help-all", "-?", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0) return true;
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (onlyPrints(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationNames();
        QCommandLineParser parser;
        describeOptions(parser);
        parser.process(app);  // prints and exits
        return 0;
    }
    needlescope::prepareProcess(argv);  // OpenMP waits (short spin, then sleep), the BLAS kernel; may restart
    QApplication app(argc, argv);
    setApplicationNames();
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Needlescope"));
    QGuiApplication::setDesktopFileName(QStringLiteral("needlescope"));
    QApplication::setWindowIcon(needlescope::MainWindow::appIcon());

    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);

    needlescope::app::AppPaths paths;
    try {
        paths = needlescope::app::resolveAppPaths(parser.value(QStringLiteral("db")),
                                                  parser.value(QStringLiteral("data")));
        needlescope::SettingsDialog::applyComputeSettings();
        // Inspect and Probe now run their forwards here (cpu, cuda, cuda:N or auto).
        const QByteArray device = qgetenv("NEEDLESCOPE_DEVICE");
        if (!device.isEmpty())
            needlescope::setInferenceDevice(needlescope::resolveDevice(device.toStdString()));
    } catch (const std::exception& e) {
        QMessageBox::critical(nullptr, QStringLiteral("Needlescope"), QString::fromStdString(e.what()));
        return 1;
    }

    needlescope::MainWindow window(paths);
    window.show();
    return app.exec();
}
