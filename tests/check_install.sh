#!/usr/bin/env bash
# check_install.sh PREFIX WORKDIR: builds a small program against an
# installed bsdvm twice, once with pkg-config and once with find_package,
# and runs both.  Also checks the man pages were installed.
set -euo pipefail
prefix=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cat >"$work/consumer.c" <<'C'
#include <bsdvm/bsdvm.h>
#include <stdio.h>
int main(void)
{
	struct bsdvm_map_params p = { .min = 0x1000, .max = 0x100000 };
	struct vm_map *m;
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
	if (bsdvm_map_create(&p, &m) != KERN_SUCCESS || bsdvm_map_insert(m, 0x2000, 0x4000, &a) != KERN_SUCCESS)
		return 1;
	if (!vm_map_check(m) || bsdvm_version() != BSDVM_VERSION_HEX)
		return 1;
	bsdvm_map_destroy(m);
	printf("consumer ok (bsdvm %s)\n", bsdvm_version_string());
	return 0;
}
C
libdir=$(ls -d "$prefix"/lib*/pkgconfig | head -n1)
PKG_CONFIG_PATH=$libdir cc -std=c11 -Wall -Werror "$work/consumer.c" \
	$(PKG_CONFIG_PATH=$libdir pkg-config --cflags --libs bsdvm) -Wl,-rpath,"$(dirname "$libdir")" -o "$work/consumer-pc"
"$work/consumer-pc"
# find_package with this version: bsdvm::bsdvm (shared) and bsdvm::bsdvm_static
cat >"$work/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.16)
project(consumer C)
find_package(bsdvm ${WANT} REQUIRED)
add_executable(consumer consumer.c)
target_link_libraries(consumer PRIVATE bsdvm::bsdvm_static)
add_executable(consumer-shared consumer.c)
target_link_libraries(consumer-shared PRIVATE bsdvm::bsdvm)
C
version=$(sed -n 's/^Version: //p' "$libdir/bsdvm.pc")
major=${version%%.*}
minor=${version#*.}
minor=${minor%%.*}
cmake -S "$work" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" -DWANT="$major.$minor" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
"$work/build/consumer-shared"
# before 1.0 another minor version is another ABI: find_package must refuse it
if [ "$major" = 0 ] && [ "$minor" -gt 0 ]; then
	if cmake -S "$work" -B "$work/build-old" -DCMAKE_PREFIX_PATH="$prefix" \
	    -DWANT="0.$((minor - 1))" >/dev/null 2>&1; then
		echo "find_package(bsdvm 0.$((minor - 1))) accepted $version" >&2
		exit 1
	fi
fi
ls "$prefix"/share/man/man3/bsdvm.3 >/dev/null
# every documented function has a page of its own name (a link page)
for page in man3/bsdvm_map_find.3 man3/bsdvm_copyin.3 man9/uvm_unmap.9 man9/vm_map_remove.9; do
	if [ ! -f "$prefix/share/man/$page" ]; then
		echo "no $page installed" >&2
		exit 1
	fi
done
grep -qx '.so man3/bsdvm_map_findspace.3' "$prefix/share/man/man3/bsdvm_map_find.3"
echo "install check ok"
