# test_fuzz_regress: the fuzzer's decoder and model (fuzz/fuzz_vm.c,
# fuzz/model_vm.c, built into tests/test_fuzz_regress.c) replay every
# input of fuzz/regressions/ and fuzz/corpus/.  The libFuzzer target itself
# is built and run by fuzz/run.sh (clang only), not by CMake.
if(TARGET test_fuzz_regress)
  target_include_directories(test_fuzz_regress PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
  target_compile_definitions(test_fuzz_regress PRIVATE
    "BSDVM_FUZZ_DEFAULT_DIRS=\"${PROJECT_SOURCE_DIR}/fuzz/regressions\", \"${PROJECT_SOURCE_DIR}/fuzz/corpus\"")
  set_tests_properties(test_fuzz_regress PROPERTIES LABELS fuzz TIMEOUT 300)
endif()
