#!/usr/bin/env bash
# Builds the libFuzzer target fuzz_vm with clang (no CMake: every src/**/*.c
# compiled with -fsanitize=fuzzer-no-link,address,undefined, the target with
# -fsanitize=fuzzer,address,undefined) and runs it.
#
#   fuzz/run.sh [SECONDS]          build, then fuzz for SECONDS (default:
#                                  $FUZZ_SECONDS, else 300 when CI=true, else 60)
#   fuzz/run.sh build              build only; prints the binary's path
#   fuzz/run.sh replay FILE...     run inputs once, printing every operation
#   fuzz/run.sh minimize CRASH [OUT]  shrink a crashing input (-minimize_crash)
#
# Environment: BSDVM_OUT (build root, default ./out), FUZZ_JOBS (parallel
# fuzzing jobs, default 1), FUZZ_ARGS (more libFuzzer flags), CC (a clang).
# New corpus units go to $BSDVM_OUT/fuzz/corpus (fuzz/corpus seeds it and is
# never written); crash inputs to $BSDVM_OUT/fuzz/artifacts.  Exit status 0
# when no input failed.
set -uo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
out=${BSDVM_OUT:-$src/out}/fuzz
bin=$out/fuzz_vm
cc=${CC:-clang}
case "$cc" in *clang*) ;; *) cc=clang ;; esac

build() {
	if ! command -v "$cc" >/dev/null; then
		echo "fuzz: $cc not found (the fuzzer needs clang and libFuzzer)" >&2
		return 1
	fi
	mkdir -p "$out/obj"
	local flags=(-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer
		-fno-sanitize-recover=undefined -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
		-Wmissing-prototypes -Wvla -Wpointer-arith -Wcast-align
		-I"$src/include" -I"$src/src" -I"$src/tests/support" -I"$src/fuzz")
	local srcs f o objs=() stale=()
	mapfile -t srcs < <(find "$src/src" -name '*.c' | sort)
	srcs+=("$src/tests/support/map_model.c" "$src/fuzz/model_vm.c")
	for f in "${srcs[@]}"; do
		o=$out/obj/$(echo "${f#"$src"/}" | tr '/' '_').o
		objs+=("$o")
		if [ ! -e "$o" ] || [ "$f" -nt "$o" ] ||
			[ -n "$(find "$src/include" "$src/src" "$src/tests/support" "$src/fuzz" \
				-name '*.h' -newer "$o" -print -quit)" ]; then
			stale+=("$f:$o")
		fi
	done
	if [ "${#stale[@]}" -gt 0 ]; then
		printf '%s\n' "${stale[@]}" | xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} \
			sh -c 'f=${1%%:*}; o=${1#*:}; shift; "$@" -c "$f" -o "$o"' _ {} \
			"$cc" "${flags[@]}" -fsanitize=fuzzer-no-link,address,undefined ||
			{ echo "fuzz: compiling the library failed" >&2; return 1; }
	fi
	"$cc" "${flags[@]}" -DFUZZING -fsanitize=fuzzer,address,undefined \
		"$src/fuzz/fuzz_vm.c" "${objs[@]}" -lpthread -o "$bin" ||
		{ echo "fuzz: linking fuzz_vm failed (is libclang-rt-*-dev installed?)" >&2; return 1; }
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

case "${1:-}" in
build)
	build && echo "$bin"
	exit $?
	;;
replay)
	shift
	build || exit 1
	BSDVM_FUZZ_TRACE=1 "$bin" "$@"
	exit $?
	;;
minimize)
	shift
	[ $# -ge 1 ] || { echo "usage: fuzz/run.sh minimize CRASH [OUT]" >&2; exit 2; }
	build || exit 1
	crash=$1
	min=${2:-$out/minimized-$(basename "$crash")}
	"$bin" -minimize_crash=1 -runs=20000 -max_total_time=${FUZZ_SECONDS:-120} \
		-exact_artifact_path="$min" "$crash"
	[ -s "$min" ] || { echo "fuzz: nothing minimized" >&2; exit 1; }
	echo "minimized input: $min ($(wc -c <"$min") bytes); its operations:"
	BSDVM_FUZZ_TRACE=1 "$bin" "$min" 2>&1 |
		grep -E '^#[0-9]+ |^config|MISMATCH|^failing|^    [a-z]' | awk '!seen[$0]++' | head -n 200
	exit 0
	;;
esac

secs=${1:-${FUZZ_SECONDS:-}}
if [ -z "$secs" ]; then
	if [ "${CI:-}" = true ]; then secs=300; else secs=60; fi
fi
build || exit 1
mkdir -p "$out/corpus" "$out/artifacts"
jobs=${FUZZ_JOBS:-1}
echo "fuzz: running $bin for ${secs}s ($jobs job(s)); corpus $out/corpus + fuzz/corpus"
# -max_total_time is only checked between inputs: timeout is the backstop.
par=()
[ "$jobs" -gt 1 ] && par=(-jobs="$jobs" -workers="$jobs")
# -jobs writes fuzz-N.log into the current directory: run from $out
# shellcheck disable=SC2086
# libFuzzer's progress lines go to a log; the summary (or, on failure, the
# end of the log with the failing operations) is printed below
log=$out/fuzz.log
(cd "$out" && timeout --kill-after=30 $((secs + 120)) "$bin" -max_total_time="$secs" \
	-timeout=30 -max_len=4096 -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
	"${par[@]}" ${FUZZ_ARGS:-} "$out/corpus" "$src/fuzz/corpus") >"$log" 2>&1
rc=$?
grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' \
	"$log" || true
if [ "$rc" -ne 0 ]; then
	tail -n 80 "$log" >&2
	echo "fuzz: FAILED (exit $rc); full log $log; crash inputs in $out/artifacts:" >&2
	ls -l "$out/artifacts" >&2
	echo "fuzz: shrink one with: fuzz/run.sh minimize $out/artifacts/<file>" >&2
	exit 1
fi
echo "fuzz: no failure in ${secs}s"
exit 0
