#pragma once
// Helpers the Runs view tests share: answering modal dialogs from a timer, finding menu actions, a
// small probe grid, counting files.
#include <QApplication>
#include <QDirIterator>
#include <QMenu>
#include <QMessageBox>
#include <QTimer>
#include <QtTest/QtTest>

#include "ui/workers/ProbeWorker.h"

namespace runstest {

using needlescope::ProbeSettings;

inline int countFiles(const QString& dir) {
    int n = 0;
    for (QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories); it.hasNext(); it.next()) ++n;
    return n;
}

// Answers the next modal message box with `button` as soon as it is shown.
inline void answerNextMessageBox(QMessageBox::StandardButton button) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, button] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            QTest::mouseClick(box->button(button), Qt::LeftButton);
        }
    });
    timer->start();
}

// Runs `act` on the next modal widget of type T as soon as it is shown.
template <typename T, typename F>
inline void actOnNextModal(F act) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, act] {
        if (auto* dialog = qobject_cast<T*>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            act(dialog);
        }
    });
    timer->start();
}

inline QAction* menuAction(QMenu* menu, const char* name) {
    for (QAction* a : menu->actions())
        if (a->objectName() == QLatin1String(name)) return a;
    return nullptr;
}

inline ProbeSettings smallGrid() {
    ProbeSettings s;
    s.depths = {0, 100};
    s.samples = 1;
    return s;
}

}  // namespace runstest
