#include "ui/views/InspectReadouts.h"

#include <QColor>
#include <QCoreApplication>
#include <QStringList>
#include <cmath>

#include "ui/style/Palette.h"
#include "ui/views/AttentionDisplay.h"
#include "ui/views/InspectionSpans.h"
#include "ui/widgets/NumberFormat.h"
#include "ui/widgets/TokenText.h"

namespace needlescope {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("InspectView", text); }

}  // namespace

std::pair<int, int> strongestAnswerHead(const InspectionResult& r) {
    int bestLayer = int(r.layers) - 1, bestHead = 0;
    double best = -1e300;
    for (int64_t l = 0; l < r.layers; ++l)
        for (int64_t h = 0; h < r.heads; ++h) {
            const double v = pick(r.buckets(l, h), Normalisation::Raw).answer;
            if (std::isfinite(v) && v > best) best = v, bestLayer = int(l), bestHead = int(h);
        }
    return {bestLayer, bestHead};
}

QString greedyAnswerText(const InspectionResult& r) {
    const QString greedy = QString::fromStdString(r.greedyText).trimmed().toHtmlEscaped();
    const QString answer = QString::fromStdString(r.answerText).toHtmlEscaped();
    if (r.hit)
        return tr("Greedy answer: <b>%1</b> <span style='color:%2'>✓ retrieved</span>")
            .arg(greedy, successColor().name());
    const QString miss = tr("<span style='color:%1'>✗ miss</span>").arg(errorColor().name());
    if (!greedy.isEmpty()) return tr("Greedy answer: <b>%1</b> %2 (answer %3)").arg(greedy, miss, answer);
    // Greedy decoding stops at the first token off the answer's path; when that token is blank (a space or
    // a line break) there is nothing to print, so say what it was.
    QStringList blanks;
    for (const std::string& piece : r.greedyPieces)
        blanks << QStringLiteral("“%1”").arg(visibleToken(QString::fromStdString(piece)));
    return blanks.isEmpty()
               ? tr("Greedy answer: none %1 — the model produced no token after the question (answer %2)")
                     .arg(miss, answer)
               : tr("Greedy answer: none %1 — greedy decoding after the question produced only blank "
                    "tokens (%2) and no digits; it stops at the first token off the answer (answer %3)")
                     .arg(miss, blanks.join(QLatin1Char(' ')).toHtmlEscaped(), answer);
}

QString lambdaText(const InspectionResult& r, int layer) {
    if (!r.diff || layer < 0 || size_t(layer) >= r.lambdas.size())
        return tr("Standard softmax attention: every row sums to 1.");
    const double lambda = r.lambdas[size_t(layer)];
    if (r.diff2)
        return tr("λ per token = sigmoid(x·W_λ): %2 at the query row (layer %1, mean over heads; strip "
                  "below) · "
                  "each row sums to 1 − λ of its token")
            .arg(layer)
            .arg(formatValue(lambda));
    return tr("λ = %2 (layer %1, init %3) · rows sum to 1 − λ = %4")
        .arg(layer)
        .arg(formatValue(lambda), formatValue(r.lambdaInits[size_t(layer)]), formatValue(1.0 - lambda));
}

QString placementText(const InspectionResult& r) {
    return tr("needle tokens %1–%2 (depth %3 %, placed at %4 %) · answer %5–%6 · question %7–%8 · "
              "query row %9 · %10 tokens · %11 ms")
        .arg(r.needle.begin)
        .arg(r.needle.end - 1)
        .arg(r.depth)
        .arg(r.placedDepth, 0, 'f', 1)
        .arg(r.answer.begin)
        .arg(r.answer.end - 1)
        .arg(r.question.begin)
        .arg(r.question.end - 1)
        .arg(r.queryRow)
        .arg(r.contextLength)
        .arg(r.computeMs, 0, 'f', 1);
}

QString cellText(const InspectionResult& r, int row, int col, float value) {
    if (row < 0 || row >= r.rows) return QString();
    const int64_t q = r.rowPositions[size_t(row)];
    QString text = tr("query #%1 “%2” → key #%3 “%4”: %5")
                       .arg(q)
                       .arg(visibleToken(tokenPiece(r, q)))
                       .arg(col)
                       .arg(visibleToken(tokenPiece(r, col)))
                       .arg(formatValue(value));
    QStringList in;
    for (const HighlightSpan& s : spansOf(r))
        if (s.contains(col)) in << s.label;
    if (!in.isEmpty()) text += QStringLiteral("  [%1]").arg(in.join(QStringLiteral(", ")));
    return text;
}

QVector<BarSeries> bucketSeries(const InspectionResult& r, int layer, int head, Normalisation norm) {
    auto values = [](const BucketValues& b) { return QVector<double>{b.sink, b.answer, b.noise, b.query}; };
    QVector<BarSeries> series;
    series.push_back(
        {tr("mean over heads, then layers"), QColor(0x44, 0x44, 0x44), values(pick(r.mean, norm))});
    if (layer >= 0 && layer < r.layers && head >= 0 && head < r.heads) {
        const RowBuckets& h = r.buckets(layer, head);
        QString name = tr("layer %1 · head %2").arg(layer).arg(head);
        if (norm == Normalisation::Signed && h.flagged) name += tr(" (row total ≤ 0)");
        series.push_back({name, okabeIto(OkabeIto::Blue), values(pick(h, norm))});
    }
    return series;
}

}  // namespace needlescope
