#pragma once
// Settings: data folder, run store (DB) location and LibTorch thread count, kept in QSettings under the
// keys of ui/settings/SettingsKeys.h (shared with needlescope-cli).
#include <QDialog>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QSpinBox;
QT_END_NAMESPACE

namespace needlescope {

class SettingsDialog : public QDialog {
    Q_OBJECT
  public:
    explicit SettingsDialog(QWidget* parent = nullptr);

    QString dataFolder() const;
    QString dbPath() const;
    int threads() const;
    void setDataFolder(const QString& path);
    void setDbPath(const QString& path);
    void setThreads(int threads);

    // Writes the fields to QSettings (accept() does it too).
    void save() const;
    // Applies the saved thread count to LibTorch (0 = all cores); returns the count in effect.
    static int applyComputeSettings();

  public Q_SLOTS:
    void accept() override;

  private:
    void checkData();
    void fitHeight();

    QLineEdit* dataEdit_ = nullptr;
    QLabel* dataInfo_ = nullptr;
    QLineEdit* dbEdit_ = nullptr;
    QSpinBox* threadsSpin_ = nullptr;
    QString initialDb_;
};

}  // namespace needlescope
