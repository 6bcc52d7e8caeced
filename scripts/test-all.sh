#!/usr/bin/env bash
# Runs every test bsdvm has: the normal build under gcc with CTest, a clang
# build (warnings are errors), the index tests on a build without vector
# extensions, all tests again under ASan+UBSan, the threaded
# tests under TSan, and an install + pkg-config + CMake-package consumer check.
# Prints one closing line "tests: N passed, N failed" summing every CTest run.
set -uo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

# --install-deps: install the Debian packages the tests use (needs root or
# sudo); .ci/run passes it on a fresh machine.
if [ "${1:-}" = "--install-deps" ] && command -v apt-get >/dev/null 2>&1; then
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends \
		cmake make gcc clang libclang-rt-14-dev pkg-config mandoc libunicorn-dev chromium >/dev/null ||
		echo "warning: some packages could not be installed"
fi
out=${BSDVM_OUT:-$src/out}
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
status=0

note() { printf '\n=== %s\n' "$*"; }

# run_ctest DIR [ctest args...]: runs CTest and adds its counts to the totals
run_ctest() {
	local dir=$1 log
	shift
	log=$(mktemp)
	ctest --test-dir "$dir" --output-on-failure "$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n1)
	if [ -n "$line" ]; then
		f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
		p=$(( $(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line") - f ))
		passed=$((passed + p))
		failed=$((failed + f))
	elif [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
	fi
	[ "$rc" -eq 0 ] || status=1
	rm -f "$log"
}

build() { # build DIR [cmake args...]
	local dir=$1
	shift
	cmake -S "$src" -B "$dir" "$@" >/dev/null && cmake --build "$dir" -j "$jobs" || {
		echo "build failed: $dir"
		failed=$((failed + 1))
		status=1
		return 1
	}
}

note "gcc build and tests"
if build "$out/gcc" -DCMAKE_C_COMPILER=gcc; then run_ctest "$out/gcc" -j "$jobs"; fi

if command -v clang >/dev/null; then
	note "clang build (warnings are errors)"
	build "$out/clang" -DCMAKE_C_COMPILER=clang -DBSDVM_BUILD_TESTS=ON || true
fi

note "portable build (BSDVM_NO_VECTOR: no vector extensions): the index tests"
if build "$out/novec" -DCMAKE_C_COMPILER=gcc -DCMAKE_C_FLAGS=-DBSDVM_NO_VECTOR -DBSDVM_BUILD_BENCH=OFF; then
	run_ctest "$out/novec" -j "$jobs" -R '^test_map_(property|index|alloc_fail|wide_align)$'
fi

note "ASan + UBSan: every test"
if build "$out/asan" -DCMAKE_C_COMPILER=gcc -DBSDVM_SANITIZE=address,undefined -DBSDVM_BUILD_BENCH=OFF; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_ctest "$out/asan" -j "$jobs"
fi

if command -v clang >/dev/null; then
	note "TSan: threaded tests"
	if build "$out/tsan" -DCMAKE_C_COMPILER=clang -DBSDVM_SANITIZE=thread -DBSDVM_BUILD_BENCH=OFF; then
		TSAN_OPTIONS=halt_on_error=1 run_ctest "$out/tsan" -L threads
	fi
fi

note "install, pkg-config and CMake package"
prefix="$out/prefix"
rm -rf "$prefix"
if cmake --install "$out/gcc" --prefix "$prefix" >/dev/null; then
	if bash "$src/tests/check_install.sh" "$prefix" "$out/consumer"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		status=1
	fi
else
	echo "install failed"
	failed=$((failed + 1))
	status=1
fi

# ---- fuzz: the libFuzzer target (fuzz/run.sh), ASan + UBSan, bounded time ----
# FUZZ_SECONDS: how long to fuzz (default 300 in CI, 60 otherwise; 0 skips).
# timeout is the backstop: libFuzzer checks -max_total_time only between inputs.
if command -v clang >/dev/null; then
	fuzz_secs=${FUZZ_SECONDS:-}
	if [ -z "$fuzz_secs" ]; then
		if [ "${CI:-}" = true ]; then fuzz_secs=300; else fuzz_secs=60; fi
	fi
	if [ "$fuzz_secs" -gt 0 ]; then
		note "libFuzzer: fuzz_vm for ${fuzz_secs}s (ASan + UBSan)"
		if BSDVM_OUT="$out" timeout --kill-after=60 $((fuzz_secs + 900)) \
			bash "$src/fuzz/run.sh" "$fuzz_secs"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			status=1
		fi
	fi
fi
# ---- end fuzz ----

echo
echo "tests: $passed passed, $failed failed"
exit $status
