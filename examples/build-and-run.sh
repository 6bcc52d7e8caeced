#!/bin/sh
# build-and-run.sh PREFIX [WORKDIR]
#
# Builds every examples/*.c against the bsdvm installed under PREFIX - its
# installed headers and library, found with `pkg-config --cflags --libs
# bsdvm` through PREFIX/lib*/pkgconfig - and runs each program.  Fails if
# any program does not build or does not exit 0.
#
# CC, CFLAGS and LDFLAGS are taken from the environment (a sanitizer build
# passes -fsanitize=... so the programs link with its instrumented library).
# The programs are linked with an rpath to PREFIX's library directory, so
# they run without LD_LIBRARY_PATH.  WORKDIR (default: a temporary
# directory) receives the binaries.
set -eu

prefix=${1:?usage: build-and-run.sh PREFIX [WORKDIR]}
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(cd "$prefix" && pwd)
if [ $# -ge 2 ]; then
	work=$2
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
cc=${CC:-cc}

pcdir=
for d in "$prefix"/lib*/pkgconfig "$prefix"/lib/*/pkgconfig; do
	if [ -f "$d/bsdvm.pc" ]; then
		pcdir=$d
		break
	fi
done
if [ -z "$pcdir" ]; then
	echo "build-and-run: no bsdvm.pc under $prefix/lib*/pkgconfig" >&2
	exit 1
fi
PKG_CONFIG_PATH=$pcdir
export PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs bsdvm)
incdir=$(pkg-config --variable=includedir bsdvm)
libdir=$(pkg-config --variable=libdir bsdvm)

# The point is to use what was installed: the .pc file must describe this
# installation, not some other prefix.
case "$incdir" in
"$prefix"/*) ;;
*)
	echo "build-and-run: $pcdir/bsdvm.pc says includedir=$incdir, which is not" \
		"under $prefix: the installed .pc file does not describe this installation" >&2
	exit 1
	;;
esac
if [ ! -f "$incdir/bsdvm/bsdvm.h" ] || [ ! -d "$libdir" ]; then
	echo "build-and-run: no headers in $incdir or no library in $libdir" >&2
	exit 1
fi

echo "bsdvm $(pkg-config --modversion bsdvm) from $prefix: $flags"
failed=0
for src in "$here"/*.c; do
	name=$(basename "$src" .c)
	echo "=== $name"
	# shellcheck disable=SC2086 # flag lists are meant to split
	if ! $cc -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
		${CFLAGS:-} "$src" -o "$work/$name" $flags ${LDFLAGS:-} \
		-Wl,-rpath,"$libdir"; then
		echo "=== $name: does not build" >&2
		failed=$((failed + 1))
		continue
	fi
	if "$work/$name"; then
		echo "=== $name: ok"
	else
		echo "=== $name: exit status $?" >&2
		failed=$((failed + 1))
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "build-and-run: $failed example(s) failed" >&2
	exit 1
fi
echo "build-and-run: all examples ok"
