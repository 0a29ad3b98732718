#pragma once
// Test helper: saves a screenshot of a widget at a given size, for the README and for looking at.
//   testsupport::saveScreenshot(&view, "inspect-view");           // 1280 × 800
//   testsupport::saveScreenshot(&heatmap, "heatmap", {640, 480});
// Files go to $NEEDLESCOPE_SCREENSHOT_DIR, else <build>/screenshots (set by tests/gui/CMakeLists.txt),
// else ./screenshots. Works offscreen (QT_QPA_PLATFORM=offscreen) and under xvfb-run.
#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QPixmap>
#include <QSet>
#include <QSize>
#include <QString>
#include <QWidget>
#include <QtTest/QTest>

namespace testsupport {

// Distinct colours on a grid every `stride` pixels: a blank or single-colour picture has very few.
inline int distinctColours(const QImage& image, int stride = 7) {
    QSet<QRgb> seen;
    for (int y = 0; y < image.height(); y += stride)
        for (int x = 0; x < image.width(); x += stride) seen.insert(image.pixel(x, y));
    return seen.size();
}

inline QString screenshotDir() {
    const QByteArray env = qgetenv("NEEDLESCOPE_SCREENSHOT_DIR");
    if (!env.isEmpty()) return QString::fromLocal8Bit(env);
#ifdef NEEDLESCOPE_SCREENSHOT_DEFAULT_DIR
    return QString::fromUtf8(NEEDLESCOPE_SCREENSHOT_DEFAULT_DIR);
#else
    return QDir::current().filePath(QStringLiteral("screenshots"));
#endif
}

// Shows `widget` at `size`, lets it lay out and paint, then saves <screenshotDir>/<name>.png.
// Returns the file path, or an empty string when the image could not be taken or written.
// The widget is left at `size`, and hidden again if it was hidden before.
inline QString saveScreenshot(QWidget* widget, const QString& name, const QSize& size = QSize(1280, 800)) {
    if (!widget) return QString();
    const bool wasVisible = widget->isVisible();
    widget->resize(size);
    if (!wasVisible) widget->show();
    if (!QTest::qWaitForWindowExposed(widget->window())) return QString();
    QCoreApplication::processEvents();
    QTest::qWait(150);  // coalesced repaints (the charts redraw at most every 100 ms)
    QCoreApplication::processEvents();
    const QImage image = widget->grab().toImage();
    if (!wasVisible) widget->hide();
    if (image.isNull()) return QString();
    const QString dir = screenshotDir();
    if (!QDir().mkpath(dir)) return QString();
    const QString path = QDir(dir).filePath(name + QStringLiteral(".png"));
    return image.save(path) ? path : QString();
}

}  // namespace testsupport
