#pragma once
// One head's attention from an inspected placement onto the display widgets, the same way in every view:
// the heatmap (query rows × keys, token labels, spans, scale by sign) and the token strip shaded by one row.
#include <QString>

#include "core/probe/Inspection.h"

namespace needlescope {

class HeatmapWidget;
class TokenStripWidget;

// The token at `index` as text; empty outside the prompt.
QString tokenPiece(const InspectionResult& result, int64_t index);

// The map a view can show for `result`: standard models have only the effective one.
MapKind shownKind(const InspectionResult& result, MapKind wanted);
// The effective map of a DIFF model (A1 − λ·A2) is signed: a diverging colour scale centred on 0.
bool isSignedMap(const InspectionResult& result, MapKind kind);
QString mapName(const InspectionResult& result, MapKind kind);

// Fills `heatmap` with the (layer, head) map of `kind` and highlights the row `rowIndex`; clears it and
// returns false when the result has no such map. Titles stay the caller's.
bool showAttention(HeatmapWidget* heatmap, const InspectionResult& result, int layer, int head, MapKind kind,
                   int64_t rowIndex);
// The sign-preserving log colours of "Log colours" (linear within 1 % of the scale's largest |value|).
void setLogColours(HeatmapWidget* heatmap, bool on);

// The prompt's tokens and spans on `strip`, shaded by the row `rowIndex` of the (layer, head) map.
void showAttentionRow(TokenStripWidget* strip, const InspectionResult& result, int layer, int head,
                      MapKind kind, int64_t rowIndex);
// DIFF V2: λ_t of (layer, head) per token on `strip` (sequential 0–1; tokens whose row was not captured stay
// unshaded); `currentToken` outlined as on the token strip.
void showLambdaRow(TokenStripWidget* strip, const InspectionResult& result, int layer, int head,
                   int currentToken);

}  // namespace needlescope
