#pragma once
// A table of configuration differences only: key | run A | run B | … (missing values shown as "—").
#include <QJsonObject>
#include <QStringList>
#include <QTableWidget>
#include <QVector>

namespace needlescope {

class ConfigDiffTable : public QTableWidget {
    Q_OBJECT
  public:
    explicit ConfigDiffTable(QWidget* parent = nullptr);

    // One column per run, headed by its name; rows are the differing keys.
    void setConfigs(const QStringList& runNames, const QVector<QJsonObject>& configs);
    // Keys (or dotted prefixes) never listed, e.g. "name", "output_dir".
    void setIgnoredKeys(const QStringList& keys);
    QStringList ignoredKeys() const { return ignored_; }
    int differenceCount() const { return rowCount(); }
    QStringList differingKeys() const;

  private:
    void rebuild();

    QStringList names_;
    QVector<QJsonObject> configs_;
    QStringList ignored_;
};

}  // namespace needlescope
