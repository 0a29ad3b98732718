#include "core/train/TrainingControl.h"

namespace needlescope {

void TrainingControl::pause() {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = true;
}

void TrainingControl::resume() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        paused_ = false;
    }
    wake_.notify_all();
}

void TrainingControl::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (request_ == Request::None) request_ = Request::Stop;
    }
    wake_.notify_all();
}

void TrainingControl::cancel() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        request_ = Request::Cancel;
    }
    wake_.notify_all();
}

bool TrainingControl::paused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return paused_;
}

TrainingControl::Request TrainingControl::request() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return request_;
}

TrainingControl::Request TrainingControl::checkpoint() {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return !paused_ || request_ != Request::None; });
    return request_;
}

}  // namespace needlescope
