#pragma once
// The Compare view's "Statistics" tab: the compared runs analysed as a study (the same analysis and tables
// as `needlescope-cli study`): per kind and depth the mean with its 95 % bootstrap interval over seeds ×
// prompts, retrieval and steps to 95 %, and each kind against the first one paired on identical prompts
// (the difference with its interval, the exact sign-flip test over seeds, McNemar's test on retrieval).
// Says when there are too few seeds for the sign-flip test to reach p < 0.05, and why runs that are not
// paired (one run of each kind per seed, probed alike) cannot be analysed.
#include <QVector>
#include <QWidget>

#include "ui/settings/AppPaths.h"
#include "ui/workers/InspectWorker.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QTextBrowser;
QT_END_NAMESPACE

namespace needlescope {

class CompareStatsTab : public QWidget {
    Q_OBJECT
  public:
    explicit CompareStatsTab(const needlescope::app::AppPaths& paths, QWidget* parent = nullptr);

    // Analyses `runs` (standard first when present) at the latest probe step they all have.
    void showRuns(const QVector<RunSource>& runs);

    QComboBox* stepCombo() const { return stepCombo_; }
    QComboBox* normCombo() const { return normCombo_; }
    QLabel* seedsNote() const { return seedsNote_; }  // the "too few seeds" warning (hidden when enough)
    QTextBrowser* report() const { return report_; }
    QString markdown() const { return markdown_; }  // the analysis shown (empty when there is none)

  protected:
    void showEvent(QShowEvent* event) override;

  private:
    void loadSteps();
    void analyse();

    app::AppPaths paths_;
    QComboBox* stepCombo_ = nullptr;
    QComboBox* normCombo_ = nullptr;
    QLabel* seedsNote_ = nullptr;
    QTextBrowser* report_ = nullptr;
    QString markdown_;
    QVector<qint64> runIds_;  // in the order analysed: the baseline kind first
    bool stale_ = false;      // runs or settings changed while the tab was hidden (analysed when shown)
};

}  // namespace needlescope
