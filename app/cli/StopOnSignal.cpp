#include "app/cli/StopOnSignal.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace needlescope::cli {

void stopOnSignal(TrainingControl& control) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started after this
    std::thread([set, &control] {
        int received = 0;
        for (int count = 0;; ++count) {
            if (sigwait(&set, &received) != 0) return;
            if (count > 0) _exit(130);
            std::fprintf(
                stderr,
                "\nstopping after this step (checkpoint + resumable); press Ctrl-C again to quit now\n");
            control.stop();
        }
    }).detach();
}

}  // namespace needlescope::cli
