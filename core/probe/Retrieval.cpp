#include "core/probe/Retrieval.h"

#include "core/util/Error.h"

namespace needlescope {

RetrievalResult scoreTeacherForced(const torch::Tensor& logits, int64_t promptLength,
                                   const std::vector<int32_t>& answer) {
    RetrievalResult result;
    const int64_t n = int64_t(answer.size());
    if (n == 0) throw Error("the answer has no tokens");
    if (logits.dim() != 3 || logits.size(0) < 1 || logits.size(1) < promptLength + n - 1)
        throw Error("logits do not cover the prompt and the answer");
    torch::NoGradGuard noGrad;
    auto picked = logits[0].narrow(0, promptLength - 1, n).argmax(-1).to(torch::kCPU).contiguous();  // [n]
    const int64_t* p = picked.data_ptr<int64_t>();
    result.hit = true;
    for (int64_t i = 0; i < n; ++i) {
        result.generated.push_back(int32_t(p[i]));
        if (p[i] != answer[size_t(i)]) {
            result.hit = false;
            break;
        }
    }
    return result;
}

std::vector<int32_t> greedyContinuation(DecoderImpl& model, const std::vector<int32_t>& prompt,
                                        int64_t count) {
    if (int64_t(prompt.size()) + count - 1 > model.config().maxContext)
        throw Error("the prompt (" + std::to_string(prompt.size()) + " tokens) and " + std::to_string(count) +
                    " generated tokens do not fit the model's context of " +
                    std::to_string(model.config().maxContext));
    torch::NoGradGuard noGrad;
    std::vector<int64_t> seq(prompt.begin(), prompt.end());
    std::vector<int32_t> out;
    for (int64_t i = 0; i < count; ++i) {
        auto input = torch::tensor(seq, torch::kInt64).unsqueeze(0).to(model.device());  // [1, L]
        auto logits = model.forward(input);                                              // [1, L, V]
        const int64_t next = logits[0][int64_t(seq.size()) - 1].argmax().item<int64_t>();
        out.push_back(int32_t(next));
        seq.push_back(next);
    }
    return out;
}

torch::Tensor probeInput(const std::vector<int32_t>& prompt, const std::vector<int32_t>& answer) {
    std::vector<int64_t> seq(prompt.begin(), prompt.end());
    for (size_t i = 0; i + 1 < answer.size(); ++i) seq.push_back(answer[i]);
    return torch::tensor(seq, torch::kInt64).unsqueeze(0);  // [1, L]
}

}  // namespace needlescope
