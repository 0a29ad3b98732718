#include "ui/views/AttentionDisplay.h"

#include <QCoreApplication>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/views/InspectionSpans.h"
#include "ui/widgets/HeatmapWidget.h"
#include "ui/widgets/TokenStripWidget.h"

namespace needlescope {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("AttentionDisplay", text); }

ColorScale::Mode modeFor(bool signedMap) {
    return signedMap ? ColorScale::Mode::Diverging : ColorScale::Mode::Sequential;
}

}  // namespace

QString tokenPiece(const InspectionResult& result, int64_t index) {
    return index >= 0 && size_t(index) < result.pieces.size()
               ? QString::fromStdString(result.pieces[size_t(index)])
               : QString();
}

MapKind shownKind(const InspectionResult& result, MapKind wanted) {
    return result.diff ? wanted : MapKind::Effective;
}

bool isSignedMap(const InspectionResult& result, MapKind kind) {
    return result.diff && kind == MapKind::Effective;
}

QString mapName(const InspectionResult& result, MapKind kind) {
    if (!result.diff) return tr("softmax attention");
    if (result.diff2) switch (kind) {  // V2: the pair of query heads 2i, 2i+1 that share a KV head
            case MapKind::A1:
                return tr("A₂ᵢ (softmax of query head 2i)");
            case MapKind::A2:
                return tr("A₂ᵢ₊₁ (softmax of query head 2i+1)");
            default:
                return tr("A₂ᵢ − λₜ·A₂ᵢ₊₁ (signed, λ per token)");
        }
    switch (kind) {
        case MapKind::A1:
            return tr("A1 (softmax 1)");
        case MapKind::A2:
            return tr("A2 (softmax 2)");
        default:
            return tr("A1 − λ·A2 (signed)");
    }
}

bool showAttention(HeatmapWidget* heatmap, const InspectionResult& result, int layer, int head, MapKind kind,
                   int64_t rowIndex) {
    kind = shownKind(result, kind);
    const float* data = result.map(kind, layer, head);
    if (!data) {
        heatmap->clear();
        return false;
    }
    heatmap->setMatrix(int(result.rows), int(result.cols),
                       std::vector<float>(data, data + result.rows * result.cols));
    heatmap->setScaleMode(modeFor(isSignedMap(result, kind)));
    QStringList rowLabels, colLabels;
    for (int64_t position : result.rowPositions) rowLabels << tokenPiece(result, position);
    for (int64_t c = 0; c < result.cols; ++c) colLabels << tokenPiece(result, c);
    heatmap->setRowLabels(rowLabels);
    heatmap->setColumnLabels(colLabels);
    heatmap->setColumnSpans(spansOf(result));
    heatmap->setColorBarTitle(mapName(result, kind));
    heatmap->setHighlightedRow(int(rowIndex));
    return true;
}

void setLogColours(HeatmapWidget* heatmap, bool on) {
    const ColorScale scale = heatmap->colorScale();
    const float maxAbs = std::max(std::fabs(scale.minimum()), std::fabs(scale.maximum()));
    heatmap->setSymLog(on && maxAbs > 0 ? 0.01f * maxAbs : 0.0f);
}

void showAttentionRow(TokenStripWidget* strip, const InspectionResult& result, int layer, int head,
                      MapKind kind, int64_t rowIndex) {
    QStringList pieces;
    pieces.reserve(int(result.pieces.size()));
    for (const std::string& p : result.pieces) pieces << QString::fromStdString(p);
    if (strip->tokens() != pieces) strip->setTokens(pieces);
    const QVector<HighlightSpan> spans = spansOf(result);
    const bool moved =
        strip->spans().size() < 2 || spans.size() < 2 || strip->spans()[1].begin != spans[1].begin;
    strip->setSpans(spans);
    kind = shownKind(result, kind);
    if (const float* row = result.row(kind, layer, head, rowIndex)) {
        std::vector<float> weights(row, row + result.cols);
        // Linear even with "Log colours": the strip's text must stay readable on its shading.
        strip->setWeights(weights, ColorScale::fitted(modeFor(isSignedMap(result, kind)), weights));
    } else {
        strip->clearWeights();
    }
    const bool isRow = rowIndex >= 0 && size_t(rowIndex) < result.rowPositions.size();
    strip->setCurrentToken(int(isRow ? result.rowPositions[size_t(rowIndex)] : result.queryRow));
    if (moved) strip->ensureTokenVisible(int(result.needle.begin));
}

void showLambdaRow(TokenStripWidget* strip, const InspectionResult& result, int layer, int head,
                   int currentToken) {
    QStringList pieces;
    for (const std::string& p : result.pieces) pieces << QString::fromStdString(p);
    if (strip->tokens() != pieces) strip->setTokens(pieces);
    strip->setSpans(spansOf(result));
    std::vector<float> weights(result.pieces.size(),
                               std::numeric_limits<float>::quiet_NaN());  // not captured
    const size_t base = (size_t(layer) * size_t(result.heads) + size_t(head)) * size_t(result.rows);
    if (layer >= 0 && head >= 0 && head < result.heads &&
        base + size_t(result.rows) <= result.lambdaTokens.size())
        for (int64_t r = 0; r < result.rows; ++r)
            weights[size_t(result.rowPositions[size_t(r)])] = result.lambdaTokens[base + size_t(r)];
    strip->setWeights(weights, ColorScale(ColorScale::Mode::Sequential, 0.0f, 1.0f));  // λ lies in (0, 1)
    strip->setCurrentToken(currentToken);
}

}  // namespace needlescope
