#pragma once
// Differences between run configurations: nested JSON objects are flattened to dotted keys
// ("model.layers") and compared leaf by leaf (arrays are compared whole).
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace needlescope {

struct ConfigDifference {
    QString key;   // dotted path
    QJsonValue a;  // Undefined when the key is missing from A
    QJsonValue b;  // Undefined when the key is missing from B
};

// One key whose value is not the same in every configuration; values[i] is Undefined where config i lacks it.
struct ConfigDifferenceN {
    QString key;
    QVector<QJsonValue> values;
};

// Dotted keys → leaf values. An empty nested object is kept as a leaf ({}).
QMap<QString, QJsonValue> flattenConfig(const QJsonObject& config);

// Keys to skip: an exact dotted key, or a prefix ("data" also skips "data.path").
bool isIgnoredKey(const QString& key, const QStringList& ignoredKeys);

// Exactly the keys present in only one of the two, or with different values; sorted by key.
QVector<ConfigDifference> configDifferences(const QJsonObject& a, const QJsonObject& b,
                                            const QStringList& ignoredKeys = {});
// The N-run variant: keys whose value (or presence) is not the same across all configs; sorted by key.
QVector<ConfigDifferenceN> configDifferences(const QVector<QJsonObject>& configs,
                                             const QStringList& ignoredKeys = {});

// A compact text for a table cell ("—" for a missing value, JSON for arrays and objects).
QString configValueText(const QJsonValue& value);

}  // namespace needlescope
