#include "ui/views/RunsExport.h"

#include <QDir>
#include <QFileInfo>
#include <QMap>
#include <QObject>
#include <QSaveFile>
#include <QSet>
#include <exception>
#include <vector>

#include "core/store/Export.h"
#include "core/store/RunStore.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/style/Palette.h"
#include "ui/views/RunsTableModel.h"
#include "ui/widgets/ImageExport.h"

namespace needlescope {

namespace {

QString fromStd(const std::string& s) { return QString::fromStdString(s); }

bool writeFile(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error) *error = QObject::tr("cannot write '%1': %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

// One run as a JSON object, several as an array.
QByteArray runsJson(RunStore& store, const std::vector<int64_t>& runIds) {
    QByteArray out;
    if (runIds.size() == 1) {
        out = QByteArray::fromStdString(runJson(store, runIds.front()));
    } else {
        out = "[\n";
        for (size_t i = 0; i < runIds.size(); ++i) {
            out += QByteArray::fromStdString(runJson(store, runIds[i]));
            out += i + 1 < runIds.size() ? ",\n" : "\n";
        }
        out += "]";
    }
    if (!out.endsWith('\n')) out += '\n';
    return out;
}

// The curves of the runs, drawn offscreen: by model colour for one paired group, else one colour per run;
// validation dashed.
bool writeLossImage(RunStore& store, const RunsTableModel& model, const QVector<qint64>& ids,
                    const QString& path, QString* error) {
    QSet<QString> groups;
    for (qint64 id : ids)
        if (const RunRow* r = model.find(id)) groups.insert(r->group);
    const bool oneGroup = groups.size() == 1;
    LossChartWidget chart;
    chart.setControlsVisible(false);
    chart.setTitle(oneGroup ? *groups.begin() : QObject::tr("Loss"));
    chart.setYAxisTitle(QObject::tr("cross-entropy (nats)"));
    QMap<QString, int> perKind;  // the n-th run of a kind gets that kind's n-th shade
    for (qint64 id : ids) {
        const RunRecord record = store.run(id);
        const QString kind = fromStd(record.kind);
        const QString label = oneGroup ? kindLabel(kind) : fromStd(record.name);
        const QColor color = modelShade(kind, perKind[kind]++);  // colour by model kind everywhere
        for (bool validation : {false, true}) {
            const QString name = label + (validation ? QObject::tr(" val") : QObject::tr(" train"));
            chart.setSeriesStyle(name, color, validation ? Qt::DashLine : Qt::SolidLine);
            QVector<LossSample> samples;
            for (const MetricPoint& p : store.metrics(id, validation ? "val_loss" : "train_loss"))
                samples.push_back({double(p.step), double(p.tokens), p.value});
            chart.appendSamples(name, samples);
        }
    }
    // Laid out at 900 × 560 and drawn at twice the pixels: 1800 px wide, with text in paper proportions.
    if (!chart.exportImage(path, QSize(900, 560), 2.0)) {
        if (error) *error = QObject::tr("cannot write the image '%1'").arg(path);
        return false;
    }
    return true;
}

}  // namespace

QString askExportPath(QWidget* parent, const QVector<qint64>& ids, const RunsTableModel& model,
                      const QString& suffix) {
    const RunRow* first = model.find(ids.front());
    QString base =
        first ? (ids.size() > 1 && first->group.size() ? first->group : first->name) : QStringLiteral("runs");
    base.replace('/', '-');
    if (suffix == "png" || suffix == "svg") base += QStringLiteral("-loss");
    if (suffix == "csv") base += QStringLiteral("-metrics");
    QString filter;
    if (suffix == "csv")
        filter = QObject::tr("Metrics CSV (*.csv)");
    else if (suffix == "json")
        filter = QObject::tr("JSON (*.json)");
    else if (suffix == "png")
        filter = QObject::tr("PNG image (*.png)");
    else if (suffix == "svg")
        filter = QObject::tr("SVG image (*.svg)");
    else
        filter = QObject::tr("Metrics CSV (*.csv);;JSON (*.json);;PNG image (*.png);;SVG image (*.svg)");
    return askExportFile(parent, QObject::tr("Export %n run(s)", nullptr, int(ids.size())),
                         base + '.' + (suffix.isEmpty() ? QStringLiteral("csv") : suffix), filter);
}

bool exportRuns(RunStore& store, const RunsTableModel& model, const QVector<qint64>& ids, const QString& path,
                QString* error) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    try {
        const std::vector<int64_t> runIds(ids.begin(), ids.end());
        if (suffix == "csv")
            return writeFile(path, QByteArray::fromStdString(metricsCsv(store, runIds)), error);
        if (suffix == "json") return writeFile(path, runsJson(store, runIds), error);
        if (suffix == "png" || suffix == "svg") return writeLossImage(store, model, ids, path, error);
    } catch (const std::exception& e) {
        if (error) *error = fromStd(e.what());
        return false;
    }
    if (error)
        *error = QObject::tr("unknown export format '.%1' (use .csv, .json, .png or .svg)").arg(suffix);
    return false;
}

}  // namespace needlescope
