# Data-parallel training over c10d/Gloo on 127.0.0.1 (issue 11): CLI processes, each test under a minute.
needlescope_add_test(test_distributed TORCH SOURCES test_distributed.cpp cli_test_support.h LIBS needlescope_core
  LABELS cli TIMEOUT 600)
target_compile_definitions(test_distributed PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_distributed needlescope-cli)
