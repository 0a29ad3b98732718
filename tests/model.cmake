needlescope_add_test(test_model TORCH SOURCES test_model.cpp LIBS needlescope_core LABELS core)
needlescope_add_test(test_model_training TORCH SOURCES test_model_training.cpp LIBS needlescope_core LABELS core)
needlescope_add_test(test_chunked_loss TORCH SOURCES test_chunked_loss.cpp LIBS needlescope_core LABELS core)
needlescope_add_test(test_lean_autograd TORCH SOURCES test_lean_autograd.cpp LIBS needlescope_core LABELS core)
