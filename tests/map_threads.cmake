# test_map_threads: run with `ctest -L threads`.  A broken map lock tends to
# deadlock rather than fail, so the timeout is far below the default.
set_tests_properties(test_map_threads PROPERTIES LABELS threads TIMEOUT 300)
