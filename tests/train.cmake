needlescope_add_test(test_train TORCH SOURCES test_train.cpp LIBS needlescope_core LABELS core TIMEOUT 600)
needlescope_add_test(test_cli TORCH SOURCES test_cli.cpp LIBS needlescope_core LABELS cli TIMEOUT 600)
target_compile_definitions(test_cli PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_cli needlescope-cli)
needlescope_add_test(test_checkpoint_faults TORCH SOURCES test_checkpoint_faults.cpp LIBS needlescope_core LABELS core TIMEOUT 600)
needlescope_add_test(test_blas_kernel TORCH SOURCES test_blas_kernel.cpp LIBS needlescope_core LABELS core TIMEOUT 120)
target_compile_definitions(test_blas_kernel PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_blas_kernel needlescope-cli)
# CLI processes racing on one store; needs only the store library besides the CLI binary.
needlescope_add_test(test_cli_races SOURCES test_cli_races.cpp cli_test_support.h store_test_support.h
                     LIBS needlescope_store LABELS cli TIMEOUT 300)
target_compile_definitions(test_cli_races PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_cli_races needlescope-cli)
needlescope_add_test(test_config_validation TORCH SOURCES test_config_validation.cpp LIBS needlescope_core
  LABELS core)
needlescope_add_test(test_cli_validation TORCH SOURCES test_cli_validation.cpp LIBS needlescope_core
  LABELS cli TIMEOUT 300)
target_compile_definitions(test_cli_validation PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_cli_validation needlescope-cli)
needlescope_add_test(test_memory_estimate TORCH SOURCES test_memory_estimate.cpp LIBS needlescope_core LABELS core)
