needlescope_add_test(test_train TORCH SOURCES test_train.cpp LIBS needlescope_core LABELS core TIMEOUT 600)
needlescope_add_test(test_cli TORCH SOURCES test_cli.cpp LIBS needlescope_core LABELS cli TIMEOUT 600)
target_compile_definitions(test_cli PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_cli needlescope-cli)
