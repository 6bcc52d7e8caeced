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
cat >"$work/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.16)
project(consumer C)
find_package(bsdvm REQUIRED)
add_executable(consumer consumer.c)
target_link_libraries(consumer PRIVATE bsdvm::bsdvm_static)
C
cmake -S "$work" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
ls "$prefix"/share/man/man3/bsdvm.3 >/dev/null
echo "install check ok"
