# The workbench's placement API (core/probe/Inspection.h): trains the tiny paired run (a few seconds).
# The time one placement takes is a benchmark (`needlescope-cli bench probe`), not a test.
needlescope_add_test(test_inspection TORCH SOURCES test_inspection.cpp LIBS needlescope_core LABELS probe TIMEOUT 180)
