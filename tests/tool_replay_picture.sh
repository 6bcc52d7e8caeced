#!/bin/sh
# tool_replay_picture.sh - the HTML picture of a replay, checked as a file
# and in a headless Chromium.
#
#   sh tool_replay_picture.sh BSDVM HAND_TRACES_DIR OUT_DIR [CHROMIUM]
#
# The picture of tests/replay/shm_fork.trace has 16 steps, one per call or
# process event plus the final one.  The page's script writes what it shows
# into <body> (data-step, data-shown-maps, data-shown-entries), so the DOM
# that Chromium dumps after running it tells whether the slider works.
# Without Chromium the browser part is skipped (exit 77), with a message.
set -u
tool=$1
hand=$2
out=$3
chromium=${4:-}
case $chromium in
'' | *NOTFOUND) chromium=/usr/bin/chromium ;; # CMake found none when configured
esac
mkdir -p "$out"
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

html=$out/shm_fork.html
if ! "$tool" replay --html "$html" "$hand/shm_fork.trace" >"$out/shm_fork.txt"; then
	echo "FAIL: bsdvm replay --html failed" >&2
	exit 1
fi

# ---- the file itself
grep -q 'data-steps="16"' "$html" || fail "not 16 steps"
grep -q '<input type="range" id="slider" min="0" max="15"' "$html" || fail "no slider"
if grep -Eiq '(src|href)="?(https?:)?//' "$html"; then
	fail "the page loads something from the network"
fi
# one <svg> per distinct snapshot in the store, one entry per mapping
grep -q 'class="entry p3 shared" x="[0-9.]*" y="4" width="[0-9.]*" height="26" data-start="0x7f0000000000" data-end="0x7f0000003000" data-prot="rw-" data-maxprot="rwx" data-inherit="share"' "$html" ||
	fail "no entry for the System V segment"
grep -q '<title>0x7f0000103000-0x7f0000104000 (4 KiB)' "$html" || fail "no title for the wired page"

# text from the trace is escaped: a -y path full of markup (as strace
# writes it: '<' and '>' in octal, '"' with a backslash)
cat >"$out/escape.trace" <<'EOF'
1   mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3</tmp/a\74b\76x&y\"q'.so>, 0) = 0x7f0000000000
1   +++ exited with 0 +++
EOF
"$tool" replay --html "$out/escape.html" "$out/escape.trace" >/dev/null || fail "escape replay"
grep -q 'data-name="/tmp/a&lt;b&gt;x&amp;y&quot;q&#39;.so"' "$out/escape.html" ||
	fail "the path is not escaped in the attribute"
if grep -q '<b>' "$out/escape.html"; then
	fail "raw markup from the trace in the page"
fi
grep -q '3\\u003c/tmp/a' "$out/escape.html" || fail "the caption JSON is not escaped"

# ---- in the browser
if [ ! -x "$chromium" ] && ! command -v "$chromium" >/dev/null 2>&1; then
	echo "SKIP: no Chromium at $chromium (apt-get install chromium); browser checks skipped"
	[ $failures -eq 0 ] || exit 1
	exit 77
fi

dom() { # dom URL OUTFILE
	profile=$(mktemp -d)
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" --virtual-time-budget=5000 \
		--dump-dom "$1" >"$2" 2>"$2.err"
	rc=$?
	rm -rf "$profile"
	[ $rc -eq 0 ] || fail "chromium exit status $rc for $1 (see $2.err)"
}

# check FILE STEP MAPS ENTRIES: what the page says it shows
check() {
	grep -q "data-step=\"$2\"" "$1" || fail "$1: not at step $2"
	grep -q "data-shown-maps=\"$3\"" "$1" || fail "$1: not $3 maps at step $2"
	grep -q "data-shown-entries=\"$4\"" "$1" || fail "$1: not $4 entries at step $2"
}

url="file://$(cd "$out" && pwd)/shm_fork.html"
dom "$url" "$out/step0.dom"
check "$out/step0.dom" 0 1 0
grep -q '(empty)' "$out/step0.dom" || fail "step 0 does not say the map is empty"

# step 10 (0-based 9): the child mapped into its DONTFORK hole
dom "$url#step=9" "$out/step9.dom"
check "$out/step9.dom" 9 2 10
grep -q 'MAP_FIXED_NOREPLACE' "$out/step9.dom" || fail "step 9 has the wrong caption"
# the rows in the view (before the hidden store): pid 801 has the r-- page
sed -n '/<div id="view">/,/<div id="store"/p' "$out/step9.dom" >"$out/step9.view"
grep -c 'class="entry' "$out/step9.view" | grep -qx 10 || fail "step 9 view does not hold 10 entries"
sed -n '/data-map="pid 801"/,$p' "$out/step9.view" |
	grep -q 'data-start="0x7f0000100000" data-end="0x7f0000101000" data-prot="r--"' ||
	fail "step 9: pid 801 lacks its page in the DONTFORK hole"

# the slider: an input event takes the page to the last step
dom "$url#step=15&slide" "$out/step15.dom"
check "$out/step15.dom" 15 2 9
grep -q 'end of the trace' "$out/step15.dom" || fail "step 15 has the wrong caption"

# and a picture to look at
profile=$(mktemp -d)
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$profile" --window-size=1250,400 --screenshot="$out/step9.png" \
	"$url#step=9" >/dev/null 2>&1
rm -rf "$profile"
[ -s "$out/step9.png" ] || fail "no screenshot"

if [ $failures -ne 0 ]; then
	echo "$failures failures; the files are in $out" >&2
	exit 1
fi
echo "picture checks passed ($out)"
