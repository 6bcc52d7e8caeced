/*
 * test_fuzz_regress.c - replays every input kept in fuzz/regressions/
 * (crashes the fuzzer found, once fixed) and every seed of fuzz/corpus/
 * through the fuzzer's own decoder and model, without libFuzzer, so that
 * gcc builds and the sanitizer builds run them too.
 *
 * The decoder is fuzz/fuzz_vm.c built without -DFUZZING, which gives it a
 * main() replaying files and directories; tests/fuzz_regressions.cmake
 * points it at the two directories.  A mismatch prints the operations and
 * aborts, which fails the test.
 *
 * Usage: test_fuzz_regress [file-or-directory...]
 */
#include "../fuzz/fuzz_vm.c"
#include "../fuzz/model_vm.c"
