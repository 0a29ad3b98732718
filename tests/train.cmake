needlescope_add_test(test_train TORCH SOURCES test_train.cpp LIBS needlescope_core LABELS core TIMEOUT 600)
needlescope_add_test(test_cli TORCH SOURCES test_cli.cpp LIBS needlescope_core LABELS cli TIMEOUT 600)
target_compile_definitions(test_cli PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_cli needlescope-cli)
needlescope_add_test(test_config_validation TORCH SOURCES test_config_validation.cpp LIBS needlescope_core
  LABELS core)
needlescope_add_test(test_cli_validation TORCH SOURCES test_cli_validation.cpp LIBS needlescope_core
  LABELS cli TIMEOUT 300)
target_compile_definitions(test_cli_validation PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_cli_validation needlescope-cli)
