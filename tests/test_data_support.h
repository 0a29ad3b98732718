#pragma once
// Helpers shared by the data tests: scratch files and catching needlescope::Error messages.
#include <QFile>
#include <QString>
#include <QtTest/QtTest>
#include <string>

#include "core/util/Error.h"

namespace datatest {

inline void writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable("cannot write " + path));
    QCOMPARE(file.write(bytes), bytes.size());
}

inline QByteArray readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return file.readAll();
}

// The message of the needlescope::Error that `body` throws, or an empty string when it throws none.
template <typename Body>
QString errorOf(Body&& body) {
    try {
        body();
    } catch (const needlescope::Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

inline std::string str(const QString& text) { return text.toStdString(); }

}  // namespace datatest

// Fails unless `message` is non-empty and contains every one of the given fragments.
#define DATA_EXPECT_ERROR(message, ...)                                                  \
    do {                                                                                 \
        const QString dataMessage_ = (message);                                          \
        QVERIFY2(!dataMessage_.isEmpty(), "expected a needlescope::Error, none thrown"); \
        for (const QString& dataFragment_ : QStringList{__VA_ARGS__}) {                  \
            QVERIFY2(dataMessage_.contains(dataFragment_),                               \
                     qPrintable("'" + dataFragment_ + "' not in: " + dataMessage_));     \
        }                                                                                \
        qInfo().noquote() << "error text:" << dataMessage_;                              \
    } while (false)
