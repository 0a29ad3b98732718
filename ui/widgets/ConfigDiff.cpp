#include "ui/widgets/ConfigDiff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace needlescope {
namespace {

void flattenInto(const QJsonObject& object, const QString& prefix, QMap<QString, QJsonValue>& out) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key();
        const QJsonValue value = it.value();
        if (value.isObject() && !value.toObject().isEmpty())
            flattenInto(value.toObject(), key, out);
        else
            out.insert(key, value);
    }
}

// Equal leaves; integers and doubles compare by numeric value (1 == 1.0).
bool sameValue(const QJsonValue& x, const QJsonValue& y) {
    if (x.isDouble() && y.isDouble()) return x.toDouble() == y.toDouble();
    return x == y;
}

}  // namespace

QMap<QString, QJsonValue> flattenConfig(const QJsonObject& config) {
    QMap<QString, QJsonValue> out;
    flattenInto(config, QString(), out);
    return out;
}

bool isIgnoredKey(const QString& key, const QStringList& ignoredKeys) {
    for (const QString& ignored : ignoredKeys)
        if (key == ignored || key.startsWith(ignored + QLatin1Char('.'))) return true;
    return false;
}

QVector<ConfigDifference> configDifferences(const QJsonObject& a, const QJsonObject& b,
                                            const QStringList& ignoredKeys) {
    QVector<ConfigDifference> out;
    for (const ConfigDifferenceN& d : configDifferences(QVector<QJsonObject>{a, b}, ignoredKeys))
        out.push_back({d.key, d.values[0], d.values[1]});
    return out;
}

QVector<ConfigDifferenceN> configDifferences(const QVector<QJsonObject>& configs,
                                             const QStringList& ignoredKeys) {
    QVector<QMap<QString, QJsonValue>> flat;
    QMap<QString, bool> keys;  // sorted union of keys
    for (const QJsonObject& c : configs) {
        flat.push_back(flattenConfig(c));
        for (auto it = flat.back().cbegin(); it != flat.back().cend(); ++it) keys.insert(it.key(), true);
    }
    QVector<ConfigDifferenceN> out;
    for (auto k = keys.cbegin(); k != keys.cend(); ++k) {
        const QString& key = k.key();
        if (isIgnoredKey(key, ignoredKeys)) continue;
        ConfigDifferenceN d{key, {}};
        bool differs = false;
        for (const auto& f : flat) {
            const auto it = f.constFind(key);
            d.values.push_back(it == f.cend() ? QJsonValue(QJsonValue::Undefined) : it.value());
            const QJsonValue& first = d.values.front();
            const QJsonValue& last = d.values.back();
            if (first.isUndefined() != last.isUndefined() || !sameValue(first, last)) differs = true;
        }
        if (differs) out.push_back(d);
    }
    return out;
}

QString configValueText(const QJsonValue& value) {
    switch (value.type()) {
        case QJsonValue::Undefined:
            return QStringLiteral("—");
        case QJsonValue::Null:
            return QStringLiteral("null");
        case QJsonValue::Bool:
            return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        case QJsonValue::Double:
            return QString::number(value.toDouble(), 'g', 10);
        case QJsonValue::String:
            return value.toString();
        case QJsonValue::Array:
            return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
        case QJsonValue::Object:
            return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    return QString();
}

}  // namespace needlescope
