#!/bin/sh
# record.sh - records the example traces of this directory again.
#
#   sh examples/traces/record.sh [OUTDIR]     (default: this directory)
#
# Each example is a trace made by "strace -f" and a seed: the address
# space of the program right after its execve, which strace cannot show
# (snapmaps.c).  Both run under "setarch -R" (no address randomization),
# so the seed and the trace agree and a fixed-placement replay of each
# reproduces every recorded result.  The strace options vary on purpose
# (-y, -ttt, -T, -i), since the replay must read them all.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/snapmaps" "$here/snapmaps.c"
cc -O1 -pthread -o "$tmp/vmtour" "$here/vmtour.c"

norand() { setarch "$(uname -m)" -R "$@"; }
classes='trace=%memory,%process,%ipc'

# ls: one process, libraries mapped with -y paths
norand "$tmp/snapmaps" "$out/ls.maps0" /bin/ls /
norand strace -f -y -e "$classes" -o "$out/ls.trace" /bin/ls / >/dev/null

# python3: a bigger program, with -ttt timestamps
py=/usr/bin/python3
norand "$tmp/snapmaps" "$out/python3.maps0" $py -c 'print(sum(range(10)))'
norand strace -f -ttt -e "$classes" -o "$out/python3.trace" $py -c 'print(sum(range(10)))' \
    >/dev/null

# a pipeline: the shell forks and its children exec (no seed for them)
norand "$tmp/snapmaps" "$out/pipeline.maps0" /bin/sh -c 'echo hello | tr a-z A-Z | wc -c'
norand strace -f -i -y -e "$classes" -o "$out/pipeline.trace" \
    /bin/sh -c 'echo hello | tr a-z A-Z | wc -c' >/dev/null

# vmtour: threads, fork, vfork, mremap, madvise, mlock, shm, SIGSEGV; -T
norand "$tmp/snapmaps" "$out/vmtour.maps0" "$tmp/vmtour"
norand strace -f -T -e "$classes" -o "$out/vmtour.trace" "$tmp/vmtour" >/dev/null
# the program's path names the temporary directory: make it stable
sed -i "s|$tmp/vmtour|/tmp/vmtour|g" "$out/vmtour.trace" "$out/vmtour.maps0"
ls -l "$out"/*.trace "$out"/*.maps0
