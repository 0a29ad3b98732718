#include "ui/views/CompareExport.h"

#include <QFileInfo>
#include <QObject>
#include <exception>

#include "core/store/RunStore.h"
#include "ui/charts/LossChartWidget.h"
#include "ui/views/RunsExport.h"
#include "ui/views/RunsTableModel.h"

namespace needlescope {

namespace {

// The rows the Runs view's export reads (names, kinds and groups) for the compared runs.
void fillModel(RunsTableModel& model, const QVector<RunSource>& runs) {
    QVector<RunRow> rows;
    for (const RunSource& s : runs) {
        RunRow row;
        row.id = s.runId;
        row.name = s.name;
        row.kind = s.kind;
        row.group = s.group;
        rows.push_back(row);
    }
    model.setRows(rows);
}

QVector<qint64> idsOf(const QVector<RunSource>& runs) {
    QVector<qint64> ids;
    for (const RunSource& s : runs) ids.push_back(s.runId);
    return ids;
}

}  // namespace

bool exportComparedRuns(const app::AppPaths& paths, const QVector<RunSource>& runs, LossChartWidget& chart,
                        const QString& path, QString* error) {
    if (runs.isEmpty()) {
        if (error) *error = QObject::tr("no runs are compared (check them in the Compare view's list)");
        return false;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "png" || suffix == "svg") {
        // Laid out at 900 × 560 and drawn at twice the pixels, as the Runs view's figures.
        if (chart.exportImage(path, QSize(900, 560), 2.0)) return true;
        if (error) *error = QObject::tr("cannot write the image '%1'").arg(path);
        return false;
    }
    try {
        RunStore store = RunStore::open(paths.dbPath.toStdString(), true);
        RunsTableModel model;
        fillModel(model, runs);
        return exportRuns(store, model, idsOf(runs), path, error);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

QString askComparedExportPath(QWidget* parent, const QVector<RunSource>& runs) {
    RunsTableModel model;
    fillModel(model, runs);
    return askExportPath(parent, idsOf(runs), model, QString());
}

}  // namespace needlescope
