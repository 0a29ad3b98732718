#pragma once
// "Probe now" for the Runs and Compare views: a slim bar that runs the needle probe of stored runs on a
// ProbeWorker, with a progress bar and Cancel while it runs and the outcome (or a clear error) after.
// Hidden until the first probe. The owner re-reads the store on probeStored().
#include <QString>
#include <QVector>
#include <QWidget>

#include "ui/settings/AppPaths.h"
#include "ui/workers/ProbeWorker.h"

QT_BEGIN_NAMESPACE
class QLabel;
class QProgressBar;
class QPushButton;
QT_END_NAMESPACE

namespace needlescope {

class ProbeNowBar : public QWidget {
    Q_OBJECT
  public:
    explicit ProbeNowBar(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);

    // Probes `runIds` (each at its latest checkpoint); `what` names them in messages ("run 3 and its
    // pair"). False, with a message, while another probe runs or without runs.
    bool probeRuns(const QVector<qint64>& runIds, const QString& what = QString());
    void cancel();
    bool isBusy() const;

    void setSettings(const ProbeSettings& settings) { settings_ = settings; }  // tests: a small grid
    const ProbeSettings& settings() const { return settings_; }
    void setPaths(const needlescope::app::AppPaths& paths) { paths_ = paths; }
    ProbeWorker* worker() const { return worker_; }
    QString message() const;  // what the bar says now
    QProgressBar* progressBar() const { return progress_; }
    QPushButton* cancelButton() const { return button_; }

  Q_SIGNALS:
    void probeStored(const QVector<qint64>& runIds);  // rows are in the store: re-read it
    void probeEnded(const needlescope::ProbeJobResult& result);
    void busyChanged(bool busy);
    void statusMessage(const QString& message, int timeoutMs);

  private:
    void onFinished(const ProbeJobResult& result);
    void showMessage(const QString& text, bool error);

    app::AppPaths paths_;
    ProbeSettings settings_;
    ProbeWorker* worker_ = nullptr;
    QLabel* label_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPushButton* button_ = nullptr;
    QString what_;
};

}  // namespace needlescope
