# The 8-thread stress runs under TSan in CI (label "threads").
if(TEST test_stress_threads)
  set_tests_properties(test_stress_threads PROPERTIES LABELS threads TIMEOUT 600)
endif()
