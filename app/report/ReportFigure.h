#pragma once
// The report figure of `needlescope-cli report`: attention to the answer and to the noise vs needle
// depth, one line per model with ± std error bars, in two panels; rendered offscreen with Qt Charts.
// No LibTorch here.
#include <memory>
#include <string>
#include <vector>

class QCoreApplication;

namespace needlescope::report {

struct FigureLine {
    std::string name;
    std::vector<double> depths;  // percent
    std::vector<double> answerMean, answerStd, noiseMean, noiseStd;
    std::string
        kind;  // model kind, for its colour; empty = the name's first word ("diff2 (3 seeds)", "g/diff")
};

// A QApplication able to render widgets without a display: when QT_QPA_PLATFORM is unset and neither
// DISPLAY nor WAYLAND_DISPLAY is set, the offscreen platform is chosen before the application is made.
std::unique_ptr<QCoreApplication> makeRenderingApplication(int& argc, char** argv);

// Writes the figure to each path (PNG or SVG by suffix). Needs a QApplication (see above). Returns an
// empty string on success, else what failed.
std::string renderDepthFigure(const std::vector<FigureLine>& lines, const std::string& title,
                              const std::vector<std::string>& paths, int width = 1200, int height = 480);

}  // namespace needlescope::report
