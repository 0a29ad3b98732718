// needlescope-cli: the headless entry point. Each sub-command lives in its own Cmd*.cpp file.
#include <QCoreApplication>
#include <QStringList>
#include <cstdio>

#include "app/cli/Commands.h"
#include "core/util/BlasKernel.h"
#include "ui/settings/AppPaths.h"

int main(int argc, char** argv) {
    needlescope::prepareProcess(argv);  // OpenMP waits (short spin, then sleep), the BLAS kernel; may restart
    const auto app = needlescope::cli::makeApplication(argc, argv);  // QApplication (offscreen) for `report`
    needlescope::app::setApplicationNames();  // before anything reads QSettings or QStandardPaths
    QCoreApplication::setApplicationVersion(NEEDLESCOPE_VERSION);
    return needlescope::cli::dispatch(app->arguments());
}
