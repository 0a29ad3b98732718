#include "ui/views/RunSources.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <exception>

#include "core/store/RunStore.h"

namespace needlescope {

QVector<RunSource> readRunSources(const app::AppPaths& paths, QString* problem) {
    QVector<RunSource> sources;
    if (paths.dbPath.isEmpty() || !QFileInfo::exists(paths.dbPath)) return sources;
    try {
        const RunStore store = RunStore::open(paths.dbPath.toStdString(), /*readOnly=*/true);
        for (const RunRecord& r : store.runs()) {
            try {
                sources.push_back(readRunSource(store, r.id, paths));
            } catch (const std::exception&) {
            }
        }
    } catch (const std::exception& e) {
        if (problem)
            *problem = QCoreApplication::translate("RunSources", "Cannot read the run store: %1")
                           .arg(QString::fromUtf8(e.what()));
    }
    return sources;
}

QString runListText(const RunSource& s) {
    QString text = s.label();
    if (!s.group.isEmpty() && !s.name.contains(s.group)) text += QStringLiteral(" · %1").arg(s.group);
    return text;
}

}  // namespace needlescope
