#pragma once
// Every QSettings key of the app, GUI and CLI alike (QtCore only). The organisation and application names
// must be set before the first QSettings is made; both executables use the ones here.
namespace needlescope::app {

// The names QSettings and QStandardPaths file things under (shared by needlescope and needlescope-cli; set
// by app::setApplicationNames() in AppPaths.h). No organisation name: QStandardPaths would nest it
// (…/Needlescope/Needlescope/, as before); QSettings takes the organisation domain instead, so the
// settings file stays ~/.config/Needlescope/Needlescope.conf.
inline constexpr const char* kOrganizationDomain = "Needlescope";
inline constexpr const char* kApplicationName = "Needlescope";

// Paths and compute (Settings dialog; read by the CLI too).
inline constexpr const char* kSettingDataDir = "paths/data";
inline constexpr const char* kSettingDbPath = "paths/db";
inline constexpr const char* kSettingThreads = "compute/threads";

// Main window.
inline constexpr const char* kSettingWindowGeometry = "window/geometry";
inline constexpr const char* kSettingWindowState = "window/state";
inline constexpr const char* kSettingWindowTab = "window/tab";

// Train view: the last preset and data folder, and the loss chart's view options.
inline constexpr const char* kSettingTrainLastPreset = "train/lastPreset";
inline constexpr const char* kSettingTrainLastDataDir = "train/lastDataDir";
inline constexpr const char* kSettingTrainChartSmoothing = "train/chart/smoothing";
inline constexpr const char* kSettingTrainChartSmoothingOn = "train/chart/smoothingOn";
inline constexpr const char* kSettingTrainChartRaw = "train/chart/raw";
inline constexpr const char* kSettingTrainChartLogY = "train/chart/logY";
inline constexpr const char* kSettingTrainChartXTokens = "train/chart/xTokens";  // read when xAxis is unset
inline constexpr const char* kSettingTrainChartXAxis = "train/chart/xAxis";      // "step", "tokens", "time"

// Compare view: the loss chart's view options.
inline constexpr const char* kSettingCompareChartSmoothing = "compare/chart/smoothing";
inline constexpr const char* kSettingCompareChartSmoothingOn = "compare/chart/smoothingOn";
inline constexpr const char* kSettingCompareChartRaw = "compare/chart/raw";
inline constexpr const char* kSettingCompareChartLogY = "compare/chart/logY";
inline constexpr const char* kSettingCompareChartXAxis = "compare/chart/xAxis";  // "step", "tokens", "time"

// Runs view: hidden table columns (column keys, RunsTableModel::columnKey) and the "Group by" column.
inline constexpr const char* kSettingRunsHiddenColumns = "runs/hiddenColumns";
inline constexpr const char* kSettingRunsGroupBy = "runs/groupBy";

// Export dialogs (runs, charts, heatmaps): the folder of the last export, where the next one starts.
inline constexpr const char* kSettingLastExportDir = "export/lastDir";

}  // namespace needlescope::app
