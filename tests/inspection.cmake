# The workbench's placement API (core/probe/Inspection.h): trains the tiny paired run (a few seconds) and
# times one placement of a quick-sized model at 512 tokens.
needlescope_add_test(test_inspection TORCH SOURCES test_inspection.cpp LIBS needlescope_core LABELS probe TIMEOUT 180)
