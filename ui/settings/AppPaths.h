#pragma once
// Where Needlescope keeps things, shared by the GUI and the CLI (QtCore only): run store, checkpoints,
// token cache, and the data search order (flag → NEEDLESCOPE_DATA → saved setting → default folder).
#include <QString>

namespace needlescope::app {

struct AppPaths {
    QString dbPath;         // SQLite run store
    QString checkpointDir;  // <folder of the DB>/checkpoints
    QString cacheDir;       // tokenizer + token ids
    QString dataFlag;       // --data / UI field as given (may be empty)

    // Resolves the data folder in the documented order; throws needlescope::Error explaining where it
    // looked and how to get WikiText-2 when nothing is found.
    QString locateData() const;
};

// Names the application for QSettings and QStandardPaths (before either is used): data in
// ~/.local/share/Needlescope/, cache in ~/.cache/Needlescope/, settings in ~/.config/Needlescope/.
void setApplicationNames();

// Where earlier versions kept data or cache (…/Needlescope/Needlescope under the generic location), read
// when the current folder holds nothing yet so that no run, corpus or cache is lost. Empty unless the
// application names are the app's own (tests name themselves otherwise).
QString legacyLocation(bool cache);

// `dbFlag`/`dataFlag`: command-line values (empty when not given). With `createFolders` (for commands that
// write the store) the run store's folder is created when missing; readers create nothing.
AppPaths resolveAppPaths(const QString& dbFlag, const QString& dataFlag, bool createFolders = true);

QString defaultDataDir();  // <AppDataLocation>/data (the legacy one when only that exists)
QString defaultDbPath();   // <AppDataLocation>/runs.db (the legacy one when only that exists)

// Whether a folder (or text file) can be trained on: a corpus with a train and a valid split.
struct DataCheck {
    bool usable = false;
    QString text;  // what was found (usable), else what is wrong, naming the missing split's file
};
DataCheck checkTrainingData(const QString& path);

}  // namespace needlescope::app
