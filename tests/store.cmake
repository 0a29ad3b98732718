# Run store tests: they link only needlescope_store (SQLite + JSON), so they build without LibTorch.
needlescope_add_test(test_store SOURCES test_store.cpp LIBS needlescope_store LABELS store)
needlescope_add_test(test_store_files SOURCES test_store_files.cpp LIBS needlescope_store LABELS store)
needlescope_add_test(test_store_concurrency SOURCES test_store_concurrency.cpp
                     LIBS needlescope_store Threads::Threads LABELS store TIMEOUT 120)
needlescope_add_test(test_store_races SOURCES test_store_races.cpp store_test_support.h
                     LIBS needlescope_store Threads::Threads LABELS store TIMEOUT 120)
