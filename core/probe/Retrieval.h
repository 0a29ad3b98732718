#pragma once
// Retrieval scoring: does the model's greedy continuation after the question reproduce the number?
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "core/model/Decoder.h"

namespace needlescope {

struct RetrievalResult {
    bool hit = false;
    // The greedy tokens up to and including the first one that differs from the answer (all of them on a
    // hit): exactly what greedy decoding would produce before it leaves the answer's path.
    std::vector<int32_t> generated;
};

// From one forward pass over prompt + answer[0 .. n−2] (teacher forcing): greedy decoding reproduces the
// n answer tokens exactly when, at every answer position, the arg-max of the logits is the next answer
// token. `logits` is [1, L, V] with L ≥ promptLength + n − 1.
RetrievalResult scoreTeacherForced(const torch::Tensor& logits, int64_t promptLength,
                                   const std::vector<int32_t>& answer);

// Plain autoregressive greedy decoding of `count` tokens after `prompt` (one forward per token; for
// checks and display). Throws Error when prompt + count − 1 exceeds the model's context.
std::vector<int32_t> greedyContinuation(DecoderImpl& model, const std::vector<int32_t>& prompt,
                                        int64_t count);

// The sequence the probe feeds the model: the prompt followed by all but the last answer token.
torch::Tensor probeInput(const std::vector<int32_t>& prompt,
                         const std::vector<int32_t>& answer);  // [1, L] int64

}  // namespace needlescope
