#include "ui/widgets/ConfigDiffTable.h"

#include <QHeaderView>

#include "ui/widgets/ConfigDiff.h"

namespace needlescope {

ConfigDiffTable::ConfigDiffTable(QWidget* parent) : QTableWidget(parent) {
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setAlternatingRowColors(true);
    setWordWrap(false);
    verticalHeader()->setVisible(false);
    horizontalHeader()->setStretchLastSection(true);
    rebuild();
}

void ConfigDiffTable::setConfigs(const QStringList& runNames, const QVector<QJsonObject>& configs) {
    names_ = runNames;
    configs_ = configs;
    rebuild();
}

void ConfigDiffTable::setIgnoredKeys(const QStringList& keys) {
    ignored_ = keys;
    rebuild();
}

QStringList ConfigDiffTable::differingKeys() const {
    QStringList keys;
    for (int r = 0; r < rowCount(); ++r) keys << item(r, 0)->text();
    return keys;
}

void ConfigDiffTable::rebuild() {
    clear();
    QStringList headers{tr("Key")};
    for (int i = 0; i < configs_.size(); ++i)
        headers << (i < names_.size() ? names_[i] : tr("Run %1").arg(QChar(QLatin1Char('A' + i % 26))));
    setColumnCount(headers.size());
    setHorizontalHeaderLabels(headers);

    const QVector<ConfigDifferenceN> diffs = configDifferences(configs_, ignored_);
    setRowCount(diffs.size());
    const QColor missing = palette().color(QPalette::PlaceholderText);
    for (int r = 0; r < diffs.size(); ++r) {
        auto* key = new QTableWidgetItem(diffs[r].key);
        key->setToolTip(diffs[r].key);
        setItem(r, 0, key);
        for (int c = 0; c < diffs[r].values.size(); ++c) {
            const QJsonValue& v = diffs[r].values[c];
            auto* cell = new QTableWidgetItem(configValueText(v));
            cell->setToolTip(cell->text());
            if (v.isUndefined()) cell->setForeground(missing);
            setItem(r, c + 1, cell);
        }
    }
    resizeColumnsToContents();
}

}  // namespace needlescope
