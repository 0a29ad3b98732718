#pragma once
// Exports a model's parameters as a PyTorch state dict (`torch.load(path)` gives {name: tensor}) with a
// JSON sidecar holding the model config, so users can analyse trained models in Python.
#include <string>

#include "core/model/Decoder.h"

namespace needlescope {

// Writes `outPath` (pickled dict, names as DESIGN §2) and `outPath + ".json"` (config). Atomic per file.
void exportWeights(DecoderImpl& model, const std::string& outPath);

}  // namespace needlescope
