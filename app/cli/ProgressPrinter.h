#pragma once
// The CLI's TrainingSink: a live progress line on a terminal, plain log lines otherwise.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "core/train/TrainingSink.h"

namespace needlescope::cli {

class ProgressPrinter : public TrainingSink {
  public:
    explicit ProgressPrinter(bool interactive);
    void onLog(const std::string& line) override;
    void onRunsCreated(const std::vector<int64_t>& runIds, const std::string& group) override;
    void onMetrics(const ModelMetrics& metrics) override;
    void onProgress(const TrainingProgress& progress) override;
    void onFinished(RunStatus status) override;

    static std::string formatDuration(double seconds);  // "1h02m", "3m05s", "12s"

  private:
    void endLine();
    bool interactive_;
    bool lineOpen_ = false;
    std::map<ModelKind, ModelMetrics> latest_;
    std::chrono::steady_clock::time_point lastPrint_{};
    int64_t lastLoggedStep_ = -1;
};

}  // namespace needlescope::cli
