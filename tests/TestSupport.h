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

#include <QFile>

namespace testsupport {

// Writes train.txt and valid.txt (a plain-directory corpus) cut from WikiText-2's validation split, so
// trainer tests get real English text but a tokenizer that trains in a second. Returns false when the
// shared data is missing.
inline bool makeSmallCorpus(const QString& dir, qint64 trainBytes = 300000, qint64 validBytes = 60000) {
    QFile source(QDir(wikitext2Tokens()).filePath("wiki.valid.tokens"));
    if (!source.open(QIODevice::ReadOnly)) return false;
    const QByteArray text = source.readAll();
    auto cutAtLine = [&](qint64 from, qint64 bytes) {
        const qint64 end = text.indexOf('\n', from + bytes);
        return text.mid(from, (end < 0 ? text.size() : end + 1) - from);
    };
    const QByteArray train = cutAtLine(0, trainBytes);
    const QByteArray valid = cutAtLine(train.size(), validBytes);
    QDir().mkpath(dir);
    for (const auto& [name, bytes] :
         {std::pair{QString("train.txt"), train}, std::pair{QString("valid.txt"), valid}}) {
        QFile out(QDir(dir).filePath(name));
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size()) return false;
    }
    return true;
}

}  // namespace testsupport
