# check_man: lint every manual page with mandoc and check that every
# BSDVM_API function is documented (tests/check_man.sh).  CI installs
# mandoc; without it the test is still registered, and fails with a clear
# message rather than silently disappearing.
find_program(BSDVM_MANDOC mandoc)
if(BSDVM_MANDOC)
  add_test(NAME check_man
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/check_man.sh ${PROJECT_SOURCE_DIR})
  set_tests_properties(check_man PROPERTIES
    ENVIRONMENT "MANDOC=${BSDVM_MANDOC}"
    LABELS "docs")
else()
  message(WARNING "mandoc not found: the check_man test will fail (install mandoc)")
  add_test(NAME check_man
    COMMAND ${CMAKE_COMMAND} -E echo
      "check_man: mandoc was not found when CMake configured this build; install mandoc and re-run cmake")
  # echo succeeds; make the test fail on its own message.
  set_tests_properties(check_man PROPERTIES
    FAIL_REGULAR_EXPRESSION "mandoc was not found"
    LABELS "docs")
endif()
