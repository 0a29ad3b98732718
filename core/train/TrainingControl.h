#pragma once
// Thread-safe pause / resume / stop / cancel requests from a UI or signal handler to the training loop.
#include <condition_variable>
#include <mutex>

namespace needlescope {

class TrainingControl {
  public:
    enum class Request { None, Stop, Cancel };

    void pause();
    void resume();
    void stop();    // finish the current step, checkpoint, mark the runs interrupted (resumable)
    void cancel();  // finish the current step, mark the runs cancelled
    bool paused() const;
    Request request() const;

    // Called by the loop between steps: blocks while paused; returns the pending request.
    Request checkpoint();

  private:
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool paused_ = false;
    Request request_ = Request::None;
};

}  // namespace needlescope
