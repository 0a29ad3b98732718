needlescope_add_test(test_model TORCH SOURCES test_model.cpp naive_attention.h LIBS needlescope_core LABELS core)
needlescope_add_test(test_model_training TORCH SOURCES test_model_training.cpp LIBS needlescope_core LABELS core)
needlescope_add_test(test_chunked_loss TORCH SOURCES test_chunked_loss.cpp LIBS needlescope_core LABELS core)
needlescope_add_test(test_model_diff2 TORCH SOURCES test_model_diff2.cpp naive_attention.h LIBS needlescope_core LABELS core)
# Issue 15 end to end: study / probe / report with --models standard,diff,diff2, and the bench's formula.
needlescope_add_test(test_cli_diff2 TORCH SOURCES test_cli_diff2.cpp cli_test_support.h LIBS needlescope_core
                     LABELS cli TIMEOUT 300)
target_compile_definitions(test_cli_diff2 PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_cli_diff2 needlescope-cli)
needlescope_add_test(test_lean_autograd TORCH SOURCES test_lean_autograd.cpp LIBS needlescope_core LABELS core)
needlescope_add_test(test_sliced_attention TORCH SOURCES test_sliced_attention.cpp LIBS needlescope_core LABELS core)
