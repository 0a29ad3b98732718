#include "app/cli/ProgressPrinter.h"

#include <cstdio>

namespace needlescope::cli {

ProgressPrinter::ProgressPrinter(bool interactive) : interactive_(interactive) {}

std::string ProgressPrinter::formatDuration(double seconds) {
    const long s = seconds < 0 ? 0 : long(seconds + 0.5);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60)
        std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%lds", s);
    return text;
}

void ProgressPrinter::endLine() {
    if (lineOpen_) std::fputc('\n', stdout);
    lineOpen_ = false;
}

void ProgressPrinter::onLog(const std::string& line) {
    endLine();
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

void ProgressPrinter::onRunsCreated(const std::vector<int64_t>& runIds, const std::string& group) {
    std::string ids;
    for (auto id : runIds) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    onLog("group " + group + ": run(s) " + ids);
}

void ProgressPrinter::onMetrics(const ModelMetrics& metrics) {
    latest_[metrics.kind] = metrics;
    if (metrics.hasValidation) {
        char text[160];
        std::snprintf(text, sizeof text, "step %lld  %-8s val loss %.4f  ppl %.1f", (long long)metrics.step,
                      kindName(metrics.kind).c_str(), metrics.valLoss, metrics.valPerplexity);
        onLog(text);
    }
}

void ProgressPrinter::onProgress(const TrainingProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const bool last = p.step == p.totalSteps;
    std::string losses;
    for (const auto& [kind, m] : latest_) {
        char part[64];
        std::snprintf(part, sizeof part, "  %s %.3f", kindName(kind).c_str(), m.trainLoss);
        losses += part;
    }
    char text[256];
    std::snprintf(text, sizeof text, "step %lld/%lld%s  %.0f tok/s  elapsed %s  ETA %s", (long long)p.step,
                  (long long)p.totalSteps, losses.c_str(), p.tokensPerSecond,
                  formatDuration(p.elapsedSeconds).c_str(), formatDuration(p.etaSeconds).c_str());
    if (interactive_) {
        if (!last && now - lastPrint_ < std::chrono::milliseconds(200)) return;
        std::printf("\r\033[K%s", text);
        lineOpen_ = true;
    } else {
        // Plain log lines about every 5 % of the run (and the last step).
        const int64_t every = std::max<int64_t>(1, p.totalSteps / 20);
        if (!last && p.step - lastLoggedStep_ < every) return;
        lastLoggedStep_ = p.step;
        std::printf("%s\n", text);
    }
    lastPrint_ = now;
    std::fflush(stdout);
}

void ProgressPrinter::onFinished(RunStatus status) { onLog("training " + statusName(status)); }

}  // namespace needlescope::cli
