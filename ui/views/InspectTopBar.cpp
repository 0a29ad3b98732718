#include "ui/views/InspectTopBar.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

#include "core/probe/Buckets.h"
#include "ui/views/RunSources.h"
#include "ui/widgets/BucketsCombo.h"

namespace needlescope {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("InspectView", text); }

}  // namespace

InspectTopBar buildInspectTopBar(QWidget* owner) {
    InspectTopBar bar;
    auto* top = new QHBoxLayout;
    bar.layout = top;
    top->addWidget(new QLabel(tr("Run"), owner));
    bar.run = new QComboBox(owner);
    bar.run->setMinimumContentsLength(20);
    bar.run->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    bar.run->setToolTip(tr("The run to inspect (newest first)"));
    top->addWidget(bar.run, 3);
    top->addWidget(new QLabel(tr("Checkpoint"), owner));
    bar.checkpoint = new QComboBox(owner);
    bar.checkpoint->setMinimumContentsLength(10);
    top->addWidget(bar.checkpoint, 1);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Map"), owner));
    bar.mapGroup = new QButtonGroup(owner);
    bar.mapGroup->setExclusive(true);
    const QString mapTexts[3] = {tr("Effective"), tr("A1"), tr("A2")};
    const QString mapTips[3] = {
        tr("The attention the model used: softmax A (standard) or A1 − λ·A2 (DIFF and DIFF V2, signed)"),
        tr("DIFF: the first softmax map A1 (DIFF V2: query head 2i)"),
        tr("DIFF: the second softmax map A2 (DIFF V2: query head 2i+1)")};
    for (int i = 0; i < 3; ++i) {
        bar.mapButtons[i] = new QToolButton(owner);
        bar.mapButtons[i]->setText(mapTexts[i]);
        bar.mapButtons[i]->setToolTip(mapTips[i]);
        bar.mapButtons[i]->setCheckable(true);
        bar.mapButtons[i]->setAutoRaise(false);
        bar.mapGroup->addButton(bar.mapButtons[i], i);
        top->addWidget(bar.mapButtons[i]);
    }
    bar.mapButtons[0]->setChecked(true);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Buckets"), owner));
    bar.norm = makeBucketsCombo(QString(), owner);
    top->addWidget(bar.norm);
    bar.allRows = new QCheckBox(tr("All query rows"), owner);
    bar.allRows->setChecked(true);
    bar.allRows->setToolTip(
        tr("Heatmap of every query row (long contexts: the last 128 rows and the question), "
           "or only the last prompt token's row"));
    top->addWidget(bar.allRows);
    bar.symLog = new QCheckBox(tr("Log colours"), owner);
    bar.symLog->setToolTip(
        tr("Sign-preserving log colour scale (linear within 1 % of the largest |value|): "
           "small and negative weights stay visible next to the attention sink"));
    top->addWidget(bar.symLog);

    return bar;
}

void fillRunPicker(QComboBox* picker, const QVector<RunSource>& runs,
                   const QHash<qint64, QString>& tooShort) {
    picker->clear();
    for (const RunSource& s : runs) {
        QString text = runListText(s);
        if (s.steps.isEmpty()) text += tr(" · no checkpoints");
        if (tooShort.contains(s.runId)) text += tr(" · context too short to inspect");
        picker->addItem(text, s.runId);
    }
}

bool isInspectable(const RunSource& source, const QHash<qint64, QString>& tooShort) {
    return !source.steps.isEmpty() && !tooShort.contains(source.runId);
}

int newestInspectable(const QVector<RunSource>& runs, const QHash<qint64, QString>& tooShort) {
    for (int i = 0; i < runs.size(); ++i)
        if (isInspectable(runs[i], tooShort)) return i;
    for (int i = 0; i < runs.size(); ++i)
        if (!runs[i].steps.isEmpty()) return i;
    return runs.isEmpty() ? -1 : 0;
}

}  // namespace needlescope
