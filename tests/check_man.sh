#!/bin/sh
# check_man.sh - lint the manual pages and check that they cover the API.
#
# Usage: check_man.sh [SOURCE_DIR]    (default: the parent of this script's
#                                      directory)
#
#  1. Every man/*.1, *.3 and *.9 page must pass `mandoc -Tlint -Wwarning`
#     with no output at all and exit status 0.
#  2. Every function declared with BSDVM_API in include/bsdvm/*.h must be
#     documented by some page: named by `.Nm name` in its NAME section, or
#     by `.Fn name` / `.Fo name` in its SYNOPSIS, so that a function added
#     without documentation makes this check fail.  A mere mention elsewhere
#     (say `.Fn vm_map_insert` in a STANDARDS section comparing bsdvm with
#     FreeBSD) does not count.
#  3. Every `.Xr bsdvm... N` cross-reference, and `.Xr vm_map_check N`, must
#     name a page that exists in man/.
#  4. Every `.Sx SECTION` reference must name a section (.Sh) or subsection
#     (.Ss) of its own page: a "see BUGS" left after the BUGS section went
#     is caught here.
#
# The mandoc binary can be chosen with the MANDOC environment variable.
set -u

if [ $# -ge 1 ]; then
	src=$1
else
	src=$(cd "$(dirname "$0")/.." && pwd)
fi
man=$src/man
inc=$src/include/bsdvm
mandoc=${MANDOC:-mandoc}
status=0

fail() {
	echo "check_man: $*" >&2
	status=1
}

if ! command -v "$mandoc" >/dev/null 2>&1; then
	echo "check_man: mandoc not found (install it, e.g. apt-get install mandoc)" >&2
	exit 1
fi
if [ ! -d "$man" ] || [ ! -d "$inc" ]; then
	echo "check_man: $src does not look like the bsdvm source tree" >&2
	exit 1
fi

# ---- 1. lint ----
npages=0
for page in "$man"/*.1 "$man"/*.3 "$man"/*.9; do
	[ -f "$page" ] || continue
	npages=$((npages + 1))
	out=$("$mandoc" -Tlint -Wwarning "$page" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		fail "$page: mandoc -Tlint -Wwarning exited $rc"
		[ -n "$out" ] && printf '%s\n' "$out" >&2
	fi
done
if [ $npages -eq 0 ]; then
	fail "no manual pages in $man"
fi

# All page text, for the searches below.
alltext=$(cat "$man"/*.1 "$man"/*.3 "$man"/*.9 2>/dev/null)

# The names the pages document: .Nm in NAME sections, .Fn/.Fo in SYNOPSIS.
documented=$(printf '%s\n' "$alltext" | awk '
	/^\.Sh[ \t]/ { sec = $2; next }
	sec == "NAME" && /^\.Nm[ \t]/ { print $2 }
	sec == "SYNOPSIS" && /^\.F[no][ \t]/ { print $2 }
' | sed 's/^"//; s/"$//' | sort -u)

# ---- 2. every BSDVM_API function is documented ----
# A declaration starts on a line beginning with BSDVM_API (the #define of the
# macro itself does not) and may span lines; the function name is the last
# identifier before the first '('.
funcs=$(
	for h in "$inc"/*.h; do
		awk '
			/^[ \t]*BSDVM_API[ \t]/ { decl = ""; on = 1 }
			on {
				decl = decl " " $0
				if (index(decl, "(") > 0) {
					d = substr(decl, 1, index(decl, "(") - 1)
					sub(/[ \t*]+$/, "", d)
					n = split(d, w, /[^A-Za-z0-9_]+/)
					while (n > 0 && w[n] == "")
						n--
					if (n > 0)
						print w[n]
					on = 0
				}
			}
		' "$h"
	done | sort -u
)
if [ -z "$funcs" ]; then
	fail "found no BSDVM_API declarations in $inc"
fi
nfuncs=0
for f in $funcs; do
	nfuncs=$((nfuncs + 1))
	if ! printf '%s\n' "$documented" | grep -qx "$f"; then
		fail "$f (declared with BSDVM_API) is not documented: add .Nm $f to the NAME section of a page in man/"
	fi
done

# ---- 3. cross-references to our own pages resolve ----
# Also inside other macros, e.g. ".Pq see Xr bsdvm_map_lock 3".
xrefs=$(printf '%s\n' "$alltext" |
	grep -oE 'Xr[[:space:]]+(bsdvm[A-Za-z0-9_]*|vm_map_check)[[:space:]]+[0-9]' |
	awk '{ print $2 "." $3 }' | sort -u)
for x in $xrefs; do
	if [ ! -f "$man/$x" ]; then
		fail "a page refers to $x (.Xr), but there is no man/$x"
	fi
done

# ---- 4. section references resolve within their page ----
for page in "$man"/*.1 "$man"/*.3 "$man"/*.9; do
	[ -f "$page" ] || continue
	# the words after Sx up to a lone punctuation mark or the line's end
	refs=$(grep -oE 'Sx [A-Za-z][A-Za-z0-9 ]*' "$page" | sed -e 's/^Sx //' -e 's/ *$//' | sort -u)
	printf '%s\n' "$refs" | while IFS= read -r ref; do
		[ -n "$ref" ] || continue
		if ! grep -qE "^\.S[hs] $ref\$" "$page"; then
			echo "check_man: $(basename "$page") refers to section '$ref' (.Sx), which it does not have" >&2
			echo fail
		fi
	done | grep -q fail && status=1
done

if [ $status -eq 0 ]; then
	echo "check_man: $npages pages lint clean; all $nfuncs BSDVM_API functions documented"
fi
exit $status
