#include "app/report/ReportFigure.h"

#include <QApplication>
#include <QFileInfo>
#include <QSize>

#include "ui/charts/DepthCurveChart.h"
#include "ui/style/Palette.h"

namespace needlescope::report {

std::unique_ptr<QCoreApplication> makeRenderingApplication(int& argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    return std::make_unique<QApplication>(argc, argv);
}

namespace {

// The line's model kind: given, or read from its name ("diff2 (3 seeds)", "tiny-1/diff"); empty if unknown.
QString lineKind(const FigureLine& line) {
    QString kind = QString::fromStdString(line.kind);
    if (kind.isEmpty()) {
        kind = QString::fromStdString(line.name).section(QLatin1Char(' '), 0, 0);
        kind = kind.section(QLatin1Char('/'), -1);
    }
    for (const char* known : {"standard", "diff", "diff2"})
        if (kind == QLatin1String(known)) return kind;
    return {};
}

}  // namespace

std::string renderDepthFigure(const std::vector<FigureLine>& lines, const std::string& title,
                              const std::vector<std::string>& paths, int width, int height) {
    if (!qobject_cast<QApplication*>(QCoreApplication::instance()))
        return "rendering the figure needs a QApplication";
    QVector<DepthSeries> series;
    for (const FigureLine& line : lines) {
        DepthSeries s;
        s.name = QString::fromStdString(line.name);
        for (double d : line.depths) s.depths.push_back(d);
        for (double v : line.answerMean) s.answerMean.push_back(v);
        for (double v : line.answerStd) s.answerStd.push_back(v);
        for (double v : line.noiseMean) s.noiseMean.push_back(v);
        for (double v : line.noiseStd) s.noiseStd.push_back(v);
        const QString kind = lineKind(line);
        if (!kind.isEmpty()) s.color = modelColor(kind);  // colours by kind, as in the app
        series.push_back(s);
    }
    DepthCurveChart chart;
    chart.setTitle(QString::fromStdString(title));
    chart.setSeries(series);
    for (const std::string& path : paths) {
        const QString file = QString::fromStdString(path);
        if (!chart.exportImage(file, QSize(width, height)) || QFileInfo(file).size() <= 0)
            return "cannot write the figure to '" + path + "'";
    }
    return {};
}

}  // namespace needlescope::report
