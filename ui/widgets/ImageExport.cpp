#include "ui/widgets/ImageExport.h"

#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSettings>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QWidget>
#include <algorithm>

#include "ui/settings/SettingsKeys.h"

namespace needlescope {
namespace {

bool isRasterSuffix(const QString& suffix) {
    return suffix == QLatin1String("png") || suffix == QLatin1String("jpg") ||
           suffix == QLatin1String("jpeg") || suffix == QLatin1String("bmp");
}

}  // namespace

void prepareForRender(QWidget* widget) {
    // A hidden widget receives its pending resize events and lays out its children only when it is
    // rendered; do that once into a scratch image. Graphics-view layouts then settle through posted
    // LayoutRequest events.
    if (!widget->isVisible()) {
        QImage scratch(1, 1, QImage::Format_ARGB32_Premultiplied);
        QPainter painter(&scratch);
        widget->render(&painter, QPoint(), QRegion(0, 0, 1, 1));
    }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
}

bool exportWidgetImage(QWidget* widget, const QString& path, const QSize& requested, const QString& title,
                       double pixelRatio) {
    if (!widget || path.isEmpty()) return false;
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool svg = suffix == QLatin1String("svg");
    if (!svg && !isRasterSuffix(suffix)) return false;

    QSize outSize = requested;
    if (!widget->isVisible()) {
        // Lay the hidden widget out at the export size itself.
        if (!outSize.isValid() || outSize.isEmpty())
            outSize = widget->testAttribute(Qt::WA_Resized) ? widget->size() : widget->sizeHint();
        if (!outSize.isValid() || outSize.isEmpty()) outSize = QSize(800, 600);
        widget->resize(outSize);
    } else if (!outSize.isValid() || outSize.isEmpty()) {
        outSize = widget->size();
    }
    prepareForRender(widget);
    const QSize source = widget->size();  // a shown widget keeps its size and is scaled to outSize

    QPainter painter;
    QSvgGenerator generator;
    QImage image;
    if (svg) {
        generator.setFileName(path);
        generator.setSize(outSize);
        generator.setViewBox(QRect(QPoint(0, 0), outSize));
        generator.setTitle(title.isEmpty() ? widget->windowTitle() : title);
        generator.setDescription(QStringLiteral("Exported by Needlescope"));
        if (!painter.begin(&generator)) return false;
    } else {
        pixelRatio = std::max(1.0, pixelRatio);
        image = QImage(outSize * pixelRatio, QImage::Format_ARGB32_Premultiplied);
        image.fill(widget->palette().color(QPalette::Window));
        if (!painter.begin(&image)) return false;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    if (!svg) painter.scale(pixelRatio, pixelRatio);
    if (source != outSize && !source.isEmpty())
        painter.scale(double(outSize.width()) / source.width(), double(outSize.height()) / source.height());
    widget->render(&painter, QPoint(), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
    painter.end();
    if (svg) return QFileInfo(path).size() > 0;
    return image.save(path);
}

QString lastExportDir() {
    const QString saved = QSettings().value(app::kSettingLastExportDir).toString();
    if (!saved.isEmpty() && QFileInfo(saved).isDir()) return saved;
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

void rememberExportDir(const QString& filePath) {
    if (filePath.isEmpty()) return;
    QSettings().setValue(app::kSettingLastExportDir, QFileInfo(filePath).absolutePath());
}

QString askExportFile(QWidget* parent, const QString& title, const QString& fileName, const QString& filter) {
    const QString path =
        QFileDialog::getSaveFileName(parent, title, QDir(lastExportDir()).filePath(fileName), filter);
    if (!path.isEmpty()) rememberExportDir(path);
    return path;
}

}  // namespace needlescope
