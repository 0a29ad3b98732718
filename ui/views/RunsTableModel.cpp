#include "ui/views/RunsTableModel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <cmath>

#include "core/probe/RunCatalog.h"
#include "core/store/RunStore.h"
#include "ui/style/Palette.h"

namespace needlescope {

namespace {

QColor statusColor(RunStatus status) {
    switch (status) {
        case RunStatus::Running:
            return activeColor();
        case RunStatus::Finished:
            return successColor();
        case RunStatus::Interrupted:
            return warningColor();
        case RunStatus::Failed:
            return errorColor();
        case RunStatus::Cancelled:
            break;
    }
    return mutedColor();
}

QString number(double v, int decimals) {
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("—");
}

}  // namespace

RunRow runRowFrom(const RunSummary& r) {
    const auto fromStd = [](const std::string& s) { return QString::fromStdString(s); };
    RunRow row;
    row.id = r.id;
    row.name = fromStd(r.name);
    row.kind = fromStd(r.kind);
    row.group = fromStd(r.group);
    row.status = r.status;
    row.steps = r.steps;
    row.created = r.createdAt > 0 ? QDateTime::fromSecsSinceEpoch(r.createdAt) : QDateTime();
    for (const auto& t : r.tags) row.tags << fromStd(t);
    row.notes = fromStd(r.notes);
    if (std::isfinite(r.bestValLoss)) {
        row.bestValLoss = r.bestValLoss;
        row.bestValStep = r.bestValStep;
    }
    // Answer / noise at the last probe step, as the probe report computes them.
    if (r.config) {
        row.hasConfig = true;
        row.plannedSteps = r.config->train.steps;
        row.plannedEpochs = r.config->train.steps > 0 ? 0 : r.config->train.epochs;
        row.dModel = r.config->model.dModel;
        row.layers = r.config->model.nLayers;
        row.context = r.config->model.maxContext;
        row.lr = r.config->train.optimizer.lr;
        row.seed = qint64(r.config->model.seed);
        row.curriculum = r.config->train.curriculumFraction;
    }
    if (r.headline) {
        row.answer = r.headline->answer;
        row.noise = r.headline->noise;
        row.probeStep = r.headline->step;
    }
    return row;
}

RunsTableModel::RunsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunsTableModel::setRows(QVector<RunRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int RunsTableModel::rowOf(qint64 id) const {
    for (int i = 0; i < rows_.size(); ++i)
        if (rows_[i].id == id) return i;
    return -1;
}

const RunRow* RunsTableModel::find(qint64 id) const {
    const int r = rowOf(id);
    return r < 0 ? nullptr : &rows_[r];
}

void RunsTableModel::setTags(qint64 id, const QStringList& tags) {
    const int r = rowOf(id);
    if (r < 0) return;
    rows_[r].tags = tags;
    Q_EMIT dataChanged(index(r, Tags), index(r, Tags));
}

void RunsTableModel::setNotes(qint64 id, const QString& notes) {
    const int r = rowOf(id);
    if (r < 0) return;
    rows_[r].notes = notes;
    Q_EMIT dataChanged(index(r, Name), index(r, Name));  // the name's tooltip shows the notes
}

QString RunsTableModel::statusText(RunStatus status) { return QString::fromStdString(statusName(status)); }

QString RunsTableModel::columnKey(int column) {
    static const char* const keys[ColumnCount] = {
        "name", "kind",    "group",   "status", "steps",   "best_val", "answer", "noise",
        "tags", "created", "d_model", "layers", "context", "lr",       "seed",   "curriculum"};
    return column >= 0 && column < ColumnCount ? QString::fromLatin1(keys[column]) : QString();
}

int RunsTableModel::columnOfKey(const QString& key) {
    for (int c = 0; c < ColumnCount; ++c)
        if (columnKey(c) == key) return c;
    return -1;
}

QString RunsTableModel::stepsText(const RunRow& r) {
    const QString done = QLocale().toString(r.steps);
    if (r.plannedSteps > 0) return QStringLiteral("%1 / %2").arg(done, QLocale().toString(r.plannedSteps));
    if (r.plannedEpochs > 0) return tr("%1 / %2 epochs").arg(done).arg(r.plannedEpochs);
    return done;
}

QStringList RunsTableModel::parseTags(const QString& text) {
    QStringList out;
    for (const QString& part : text.split(QLatin1Char(','))) {
        const QString tag = part.trimmed();
        if (!tag.isEmpty() && !out.contains(tag)) out << tag;
    }
    return out;
}

int RunsTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }
int RunsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const RunRow& r = rows_[index.row()];
    const int column = index.column();
    if (role == IdRole) return r.id;
    if (role == Qt::DisplayRole || role == Qt::EditRole) {
        switch (column) {
            case Name:
                return r.name;
            case Kind:
                return kindLabel(r.kind);
            case Group:
                return r.group;
            case Status:
                return statusText(r.status);
            case Steps:
                return stepsText(r);
            case BestVal:
                return number(r.bestValLoss, 3);
            case Answer:
                return number(r.answer, 3);
            case Noise:
                return number(r.noise, 3);
            case Tags:
                return r.tags.join(QStringLiteral(", "));
            case Created:
                return r.created.isValid() ? r.created.toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                                           : QString();
            case DModel:
                return r.hasConfig ? QString::number(r.dModel) : QStringLiteral("—");
            case Layers:
                return r.hasConfig ? QString::number(r.layers) : QStringLiteral("—");
            case Context:
                return r.hasConfig ? QString::number(r.context) : QStringLiteral("—");
            case Lr:
                return r.hasConfig && std::isfinite(r.lr) ? QString::number(r.lr, 'g', 3)
                                                          : QStringLiteral("—");
            case Seed:
                return r.hasConfig ? QString::number(r.seed) : QStringLiteral("—");
            case Curriculum:
                return number(r.curriculum, 2);
        }
    }
    if (role == SortRole) {
        switch (column) {
            case Steps:
                return r.steps;
            case BestVal:
                return std::isfinite(r.bestValLoss) ? r.bestValLoss : 1e300;
            case Answer:
                return std::isfinite(r.answer) ? r.answer : -1e300;
            case Noise:
                return std::isfinite(r.noise) ? r.noise : 1e300;
            case Created:
                return r.created.isValid() ? r.created.toSecsSinceEpoch() : 0;
            // Numbers as numbers; a run without a readable config sorts first (-1).
            case DModel:
                return r.hasConfig ? double(r.dModel) : -1.0;
            case Layers:
                return r.hasConfig ? double(r.layers) : -1.0;
            case Context:
                return r.hasConfig ? double(r.context) : -1.0;
            case Lr:
                return r.hasConfig && std::isfinite(r.lr) ? r.lr : -1.0;
            case Seed:
                return r.hasConfig ? double(r.seed) : -1.0;
            case Curriculum:
                return std::isfinite(r.curriculum) ? r.curriculum : -1.0;
            default:
                return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::TextAlignmentRole) {
        if (column == Steps || column == BestVal || column == Answer || column == Noise || column >= DModel)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    }
    if (role == Qt::ForegroundRole && column == Status) return QBrush(statusColor(r.status));
    if (role == Qt::ToolTipRole) {
        switch (column) {
            case Name:
                return QStringLiteral("run %1 · %2").arg(r.id).arg(r.name) +
                       (r.notes.isEmpty() ? QString() : QStringLiteral("\n\n") + r.notes);
            case BestVal:
                return std::isfinite(r.bestValLoss)
                           ? tr("lowest validation loss, at step %1").arg(r.bestValStep)
                           : tr("not evaluated yet");
            case Answer:
            case Noise:
                return r.probeStep > 0
                           ? tr("attention mass on the %1 (signed, normalised), mean over the depths and "
                                "context lengths probed at step %2")
                                 .arg(column == Answer ? tr("answer") : tr("noise"))
                                 .arg(r.probeStep)
                           : tr("never probed: \"Probe now\" (button or right-click) runs the needle probe");
            case Tags:
                return tr("Comma-separated; double-click to edit (or right-click, Edit tags…)");
            default:
                return {};
        }
    }
    return {};
}

QString RunsTableModel::headerTip(int section) {
    switch (section) {
        case BestVal:
            return tr("Lowest validation loss (nats)");
        case Answer:
            return tr("Attention on the answer at the last needle probe (signed, normalised)");
        case Noise:
            return tr("Attention on the noise at the last needle probe (signed, normalised)");
        case Steps:
            return tr("Steps done / planned (the config's step budget)");
        case DModel:
            return tr("Model width (d_model)");
        case Layers:
            return tr("Decoder layers");
        case Context:
            return tr("Maximum context (tokens)");
        case Lr:
            return tr("Peak learning rate");
        case Seed:
            return tr("Model initialisation seed");
        case Curriculum:
            return tr("Share of training sequences built as needle tasks");
        default:
            return {};
    }
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
        const QString tip = headerTip(section);
        const QString more = tr("Right-click a column header to show or hide columns");
        return tip.isEmpty() ? more : tip + QStringLiteral("\n") + more;
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
        case Name:
            return tr("Name");
        case Kind:
            return tr("Kind");
        case Group:
            return tr("Group");
        case Status:
            return tr("Status");
        case Steps:
            return tr("Steps");
        case BestVal:
            return tr("Best val");
        case Answer:
            return tr("Answer");
        case Noise:
            return tr("Noise");
        case Tags:
            return tr("Tags");
        case Created:
            return tr("Created");
        case DModel:
            return tr("d_model");
        case Layers:
            return tr("Layers");
        case Context:
            return tr("Context");
        case Lr:
            return tr("LR");
        case Seed:
            return tr("Seed");
        case Curriculum:
            return tr("Curriculum");
    }
    return {};
}

Qt::ItemFlags RunsTableModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Tags) f |= Qt::ItemIsEditable;
    return f;
}

bool RunsTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || index.column() != Tags || role != Qt::EditRole || index.row() >= rows_.size())
        return false;
    const QStringList tags = parseTags(value.toString());
    if (tags == rows_[index.row()].tags) return false;
    Q_EMIT tagsEdited(rows_[index.row()].id, tags);
    return true;
}

}  // namespace needlescope
