#include "ui/views/RunsDeletion.h"

#include <QDir>
#include <QMessageBox>
#include <QObject>
#include <QPushButton>
#include <exception>
#include <string>

#include "core/probe/RunCatalog.h"
#include "core/store/RunStore.h"

namespace needlescope {

bool confirmRunDeletion(QWidget* parent, int count, const QStringList& names) {
    QMessageBox box(QMessageBox::Warning, QObject::tr("Delete runs"),
                    QObject::tr("Delete %n run(s) with their metrics, probe results and checkpoint files?",
                                nullptr, count),
                    QMessageBox::Yes | QMessageBox::Cancel, parent);
    box.setObjectName(QStringLiteral("confirmDelete"));
    box.setInformativeText(QObject::tr("This cannot be undone."));
    box.setDetailedText(names.join('\n'));
    box.setDefaultButton(QMessageBox::Cancel);
    box.button(QMessageBox::Yes)->setText(QObject::tr("Delete"));
    return box.exec() == QMessageBox::Yes;
}

RunDeletion deleteRuns(RunStore& store, const QVector<qint64>& runIds, const QString& checkpointDir) {
    const std::string checkpointRoot = QDir::cleanPath(checkpointDir).toStdString();
    RunDeletion out;
    for (qint64 id : runIds) {
        try {
            const DeletedRun d = deleteRunWithFiles(store, id, checkpointRoot);
            out.filesRemoved += int(d.filesRemoved);
            for (const std::string& p : d.problems) out.problems << QString::fromStdString(p);
            ++out.deleted;
        } catch (const std::exception& e) {
            out.problems << QString::fromStdString(e.what());
        }
    }
    return out;
}

}  // namespace needlescope
