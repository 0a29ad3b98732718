#pragma once
// Saves a widget (shown or not) as PNG or SVG, chosen by the file suffix (.svg → vector, else raster).
#include <QSize>
#include <QString>

class QWidget;

namespace needlescope {

// A hidden widget (e.g. the CLI's offscreen report figure) is laid out at `size` and left at that size;
// a shown widget keeps its on-screen size and is drawn scaled to `size`. An empty `size` means the
// widget's current size (its size hint when it was never resized). Returns false for an unknown suffix
// (png, jpg, jpeg, bmp and svg are known) or when the file cannot be written.
// Makes a widget that was never shown ready to render: sends its pending resize events, activates its
// layouts and lets graphics-view layouts (Qt Charts) settle. Harmless for a shown widget.
void prepareForRender(QWidget* widget);

// `pixelRatio` > 1 renders a raster file at size × pixelRatio pixels with the layout (and so every text)
// of `size`, the way a high-density screen does: a sharp figure whose labels keep their proportions.
bool exportWidgetImage(QWidget* widget, const QString& path, const QSize& size = QSize(),
                       const QString& title = QString(), double pixelRatio = 1.0);

// Export dialogs start in the folder of the last export (kept in QSettings), else Documents.
QString lastExportDir();
// Remembers the folder of `filePath` (a file just exported to) for the next export dialog.
void rememberExportDir(const QString& filePath);
// A save dialog for an export, opened in lastExportDir() with `fileName` proposed; the folder of the
// chosen file is remembered. Empty when cancelled.
QString askExportFile(QWidget* parent, const QString& title, const QString& fileName, const QString& filter);

}  // namespace needlescope
