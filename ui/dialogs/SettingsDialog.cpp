#include "ui/dialogs/SettingsDialog.h"

#include <unistd.h>

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <cstdlib>
#include <exception>
#include <utility>

#include "core/util/Runtime.h"
#include "ui/settings/AppPaths.h"
#include "ui/settings/SettingsKeys.h"
#include "ui/style/Palette.h"

namespace needlescope {

SettingsDialog::SettingsDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    QSettings settings;

    dataEdit_ = new QLineEdit(settings.value(app::kSettingDataDir).toString(), this);
    dataEdit_->setObjectName(QStringLiteral("dataEdit"));
    dataEdit_->setPlaceholderText(app::defaultDataDir());
    dataEdit_->setClearButtonEnabled(true);
    auto* dataBrowse = new QPushButton(tr("Browse…"), this);
    auto* dataRow = new QHBoxLayout();
    dataRow->addWidget(dataEdit_, 1);
    dataRow->addWidget(dataBrowse);
    dataInfo_ = new QLabel(this);
    dataInfo_->setObjectName(QStringLiteral("dataInfo"));
    dataInfo_->setWordWrap(true);

    const QString defaultDb = app::defaultDbPath();
    initialDb_ = settings.value(app::kSettingDbPath).toString();
    dbEdit_ = new QLineEdit(initialDb_, this);
    dbEdit_->setObjectName(QStringLiteral("dbEdit"));
    dbEdit_->setPlaceholderText(defaultDb);
    dbEdit_->setClearButtonEnabled(true);
    auto* dbBrowse = new QPushButton(tr("Browse…"), this);
    auto* dbRow = new QHBoxLayout();
    dbRow->addWidget(dbEdit_, 1);
    dbRow->addWidget(dbBrowse);
    auto* dbNote = new QLabel(
        tr("Checkpoints live beside it. Takes effect at the next start (or use <tt>--db</tt>)."), this);
    dbNote->setToolTip(tr("Checkpoints are kept in a \"checkpoints\" folder beside the store"));
    dbNote->setWordWrap(true);

    threadsSpin_ = new QSpinBox(this);
    threadsSpin_->setObjectName(QStringLiteral("threadsSpin"));
    threadsSpin_->setRange(0, 1024);
    threadsSpin_->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    threadsSpin_->setValue(settings.value(app::kSettingThreads, 0).toInt());
    threadsSpin_->setToolTip(tr("LibTorch intra-op threads for training and probes"));

    for (QLabel* note : {dataInfo_, dbNote}) {
        note->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
        note->setMinimumWidth(420);
    }
    auto* dataCell = new QVBoxLayout();
    dataCell->addLayout(dataRow);
    dataCell->addWidget(dataInfo_);
    auto* dbCell = new QVBoxLayout();
    dbCell->addLayout(dbRow);
    dbCell->addWidget(dbNote);
    auto* threadsRow = new QHBoxLayout();
    threadsRow->addWidget(threadsSpin_);
    threadsRow->addStretch(1);

    auto* grid = new QGridLayout();
    grid->setColumnStretch(1, 1);
    grid->setVerticalSpacing(12);
    int row = 0;
    for (auto [text, cell] : {std::pair<QString, QLayout*>{tr("Data folder"), dataCell},
                              std::pair<QString, QLayout*>{tr("Run store"), dbCell},
                              std::pair<QString, QLayout*>{tr("Threads"), threadsRow}}) {
        auto* label = new QLabel(text, this);
        grid->addWidget(label, row, 0, Qt::AlignTop | Qt::AlignLeft);
        grid->addLayout(cell, row, 1);
        ++row;
    }

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(grid);
    layout->addStretch(1);
    layout->addWidget(buttons);
    resize(680, 10);
    fitHeight();

    connect(dataBrowse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Data folder"), dataEdit_->text());
        if (!dir.isEmpty()) dataEdit_->setText(dir);
    });
    connect(dbBrowse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Run store"), dbEdit_->text(),
                                                          tr("SQLite run store (*.db);;All files (*)"),
                                                          nullptr, QFileDialog::DontConfirmOverwrite);
        if (!file.isEmpty()) dbEdit_->setText(file);
    });
    connect(dataEdit_, &QLineEdit::textChanged, this, &SettingsDialog::checkData);
    checkData();
}

QString SettingsDialog::dataFolder() const { return dataEdit_->text().trimmed(); }
QString SettingsDialog::dbPath() const { return dbEdit_->text().trimmed(); }
int SettingsDialog::threads() const { return threadsSpin_->value(); }
void SettingsDialog::setDataFolder(const QString& path) { dataEdit_->setText(path); }
void SettingsDialog::setDbPath(const QString& path) { dbEdit_->setText(path); }
void SettingsDialog::setThreads(int threads) { threadsSpin_->setValue(threads); }

void SettingsDialog::fitHeight() {
    // Word-wrapped notes (a long corpus error) need the height that fits the current width.
    if (!layout()) return;
    const int h = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width())
                                                : layout()->totalSizeHint().height();
    if (h > height()) resize(width(), h);
}

void SettingsDialog::checkData() {
    const QString path = dataFolder();
    if (path.isEmpty()) {
        dataInfo_->setText(tr("Empty: NEEDLESCOPE_DATA, then %1 are searched").arg(app::defaultDataDir()));
        dataInfo_->setStyleSheet(QString());
        QTimer::singleShot(0, this, &SettingsDialog::fitHeight);
        return;
    }
    const app::DataCheck check = app::checkTrainingData(path);
    dataInfo_->setText((check.usable ? QStringLiteral("✓ ") : QStringLiteral("✗ ")) + check.text);
    dataInfo_->setStyleSheet(textColorStyle(check.usable ? successColor() : errorColor()));
    QTimer::singleShot(0, this, &SettingsDialog::fitHeight);
}

void SettingsDialog::save() const {
    QSettings settings;
    auto store = [&settings](const char* key, const QString& value) {
        if (value.isEmpty())
            settings.remove(key);
        else
            settings.setValue(key, value);
    };
    store(app::kSettingDataDir, dataFolder());
    store(app::kSettingDbPath, dbPath().isEmpty() ? QString() : QFileInfo(dbPath()).absoluteFilePath());
    settings.setValue(app::kSettingThreads, threads());
}

void SettingsDialog::accept() {
    save();
    applyComputeSettings();
    QDialog::accept();
}

int SettingsDialog::applyComputeSettings() {
    try {
        return configureThreads(std::max(0, QSettings().value(app::kSettingThreads, 0).toInt()));
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace needlescope
