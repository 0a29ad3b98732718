# Needle probe tests (issue 5). Prompts, model and report tests train a 512-piece tokenizer on a small
# cut of WikiText-2 (a second or two); the model and report tests also train the tiny paired experiment.
needlescope_add_test(test_probe_buckets SOURCES test_probe_buckets.cpp LIBS needlescope_core LABELS core probe TIMEOUT 60)
needlescope_add_test(test_probe_prompts TORCH SOURCES test_probe_prompts.cpp LIBS needlescope_core
                     LABELS core probe TIMEOUT 180)
needlescope_add_test(test_probe_model TORCH SOURCES test_probe_model.cpp LIBS needlescope_core
                     LABELS core probe TIMEOUT 300)
needlescope_add_test(test_probe_report TORCH SOURCES test_probe_report.cpp LIBS needlescope_core
                     LABELS cli probe TIMEOUT 300)
target_compile_definitions(test_probe_report PRIVATE NEEDLESCOPE_CLI_PATH="$<TARGET_FILE:needlescope-cli>")
add_dependencies(test_probe_report needlescope-cli)
needlescope_add_test(test_statistics SOURCES test_statistics.cpp LIBS needlescope_core LABELS core probe TIMEOUT 60)
needlescope_add_test(test_needle_objective TORCH SOURCES test_needle_objective.cpp LIBS needlescope_core
                     LABELS core probe TIMEOUT 300)
# The typed run catalog (core/probe/RunCatalog.h): summaries, the probe headline, deletion with files.
needlescope_add_test(test_run_catalog TORCH SOURCES test_run_catalog.cpp LIBS needlescope_core LABELS core probe store)
# The study below the CLI: two tiny seeds trained, probed, analysed and written (core/probe/StudyRunner.h).
needlescope_add_test(test_study_runner TORCH SOURCES test_study_runner.cpp LIBS needlescope_core
                     LABELS core probe TIMEOUT 300)
