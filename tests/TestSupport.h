#pragma once
// Helpers shared by the tests: where the WikiText test data lives, scratch folders.
#include <QDir>
#include <QString>
#include <QtGlobal>

namespace testsupport {

// ../shared/data beside the checkout (override with NEEDLESCOPE_TEST_DATA at run time).
inline QString dataRoot() {
    const QByteArray env = qgetenv("NEEDLESCOPE_TEST_DATA");
    return env.isEmpty() ? QString::fromUtf8(NEEDLESCOPE_TEST_DATA_DIR) : QString::fromUtf8(env);
}

inline QString wikitext2Tokens() { return QDir(dataRoot()).filePath("wikitext-2-v1"); }
inline QString wikitext2Raw() { return QDir(dataRoot()).filePath("wikitext-2-raw-v1"); }

}  // namespace testsupport
