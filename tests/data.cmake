# Data and tokenizer tests (issue 3). They read ../shared/data (NEEDLESCOPE_TEST_DATA) and train
# small tokenizers (vocabularies of 500–1000, mostly on the valid split), so they stay quick.
needlescope_add_test(test_data_corpus TORCH SOURCES test_data_corpus.cpp
                     LIBS needlescope_core LABELS core data)
needlescope_add_test(test_data_bad_input TORCH SOURCES test_data_bad_input.cpp
                     LIBS needlescope_core LABELS core data TIMEOUT 120)
needlescope_add_test(test_data_tokenizer TORCH SOURCES test_data_tokenizer.cpp
                     LIBS needlescope_core LABELS core data TIMEOUT 120)
needlescope_add_test(test_data_cache TORCH SOURCES test_data_cache.cpp
                     LIBS needlescope_core LABELS core data TIMEOUT 120)
needlescope_add_test(test_data_batcher TORCH SOURCES test_data_batcher.cpp
                     LIBS needlescope_core LABELS core data)
