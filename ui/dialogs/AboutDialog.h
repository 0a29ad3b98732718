#pragma once
// About Needlescope: what it is, and the versions in use (app, Qt, LibTorch, BLAS, threads).
#include <QDialog>

namespace needlescope {

class AboutDialog : public QDialog {
    Q_OBJECT
  public:
    explicit AboutDialog(QWidget* parent = nullptr);

    // "Needlescope 0.1.0 · Qt 6.4.2 · LibTorch 1.13.1 · BLAS … · 2 threads", one item per line.
    static QString versionText();
    // The project version this library was built from ("0.1.0").
    static QString appVersion();
};

}  // namespace needlescope
