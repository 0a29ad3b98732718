// Config diff: exactly the differing dotted keys of nested configs; the N-run variant; the table.
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest/QtTest>

#include "ui/widgets/ConfigDiff.h"
#include "ui/widgets/ConfigDiffTable.h"

using namespace needlescope;

namespace {

QJsonObject json(const char* text) { return QJsonDocument::fromJson(QByteArray(text)).object(); }

const char* kStandard = R"({
  "name": "std-quick",
  "model": {"kind": "standard", "layers": 4, "heads": 8, "rope": {"theta": 10000}},
  "train": {"lr": 0.001, "steps": 1000, "seed": 1},
  "data": {"path": "wikitext-2"},
  "tags": [1, 2]
})";

const char* kDiff = R"({
  "name": "diff-quick",
  "model": {"kind": "diff", "layers": 4, "heads": 4, "rope": {"theta": 10000}, "lambda_init": 0.8},
  "train": {"lr": 0.001, "steps": 1000, "seed": 1.0},
  "data": {"path": "wikitext-2"},
  "tags": [1, 3],
  "extra": {}
})";

QStringList keysOf(const QVector<ConfigDifference>& diffs) {
    QStringList keys;
    for (const ConfigDifference& d : diffs) keys << d.key;
    return keys;
}

}  // namespace

class ConfigDiffTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void flattensToDottedKeys() {
        const auto flat = flattenConfig(json(kStandard));
        QVERIFY(flat.contains("model.rope.theta"));
        QCOMPARE(flat.value("model.rope.theta").toDouble(), 10000.0);
        QVERIFY(!flat.contains("model"));
        QVERIFY(flat.value("tags").isArray());
    }

    void exactlyTheDifferingKeys() {
        const QVector<ConfigDifference> diffs = configDifferences(json(kStandard), json(kDiff));
        QCOMPARE(keysOf(diffs),
                 (QStringList{"extra", "model.heads", "model.kind", "model.lambda_init", "name", "tags"}));
        const ConfigDifference& lambda = diffs[3];
        QVERIFY(lambda.a.isUndefined());
        QCOMPARE(lambda.b.toDouble(), 0.8);
        QCOMPARE(diffs[1].a.toInt(), 8);
        QCOMPARE(diffs[1].b.toInt(), 4);
    }

    void identicalConfigsHaveNoDifferences() {
        QVERIFY(configDifferences(json(kDiff), json(kDiff)).isEmpty());
    }

    void ignoredKeysAndPrefixes() {
        const auto diffs = configDifferences(json(kStandard), json(kDiff), {"name", "extra", "model.kind"});
        QCOMPARE(keysOf(diffs), (QStringList{"model.heads", "model.lambda_init", "tags"}));
        QCOMPARE(keysOf(configDifferences(json(kStandard), json(kDiff), {"model"})),
                 (QStringList{"extra", "name", "tags"}));
        QVERIFY(!isIgnoredKey("modelx", {"model"}));
    }

    void nRunVariant() {
        const QJsonObject a = json(R"({"a": 1, "b": {"c": 2}, "d": "x"})");
        const QJsonObject b = json(R"({"a": 1, "b": {"c": 2}, "d": "x"})");
        const QJsonObject c = json(R"({"a": 1, "b": {"c": 3}})");
        const QVector<ConfigDifferenceN> diffs = configDifferences(QVector<QJsonObject>{a, b, c});
        QCOMPARE(diffs.size(), 2);
        QCOMPARE(diffs[0].key, QString("b.c"));
        QCOMPARE(diffs[0].values.size(), 3);
        QCOMPARE(diffs[0].values[2].toInt(), 3);
        QCOMPARE(diffs[1].key, QString("d"));
        QVERIFY(diffs[1].values[2].isUndefined());
    }

    void tableShowsDifferencesOnly() {
        ConfigDiffTable table;
        table.setConfigs({"standard", "diff"}, {json(kStandard), json(kDiff)});
        QCOMPARE(table.columnCount(), 3);
        QCOMPARE(table.horizontalHeaderItem(1)->text(), QString("standard"));
        QCOMPARE(table.differingKeys(),
                 (QStringList{"extra", "model.heads", "model.kind", "model.lambda_init", "name", "tags"}));
        QCOMPARE(table.item(3, 1)->text(), QString("—"));  // lambda_init missing from the standard run
        QCOMPARE(table.item(3, 2)->text(), QString("0.8"));
        QCOMPARE(table.item(5, 1)->text(), QString("[1,2]"));
        table.setIgnoredKeys({"name", "extra"});
        QCOMPARE(table.differenceCount(), 4);
    }
};

QTEST_MAIN(ConfigDiffTest)
#include "test_gui_config_diff.moc"
