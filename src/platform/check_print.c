/*
 * check_print.c - vm_map_check(): bsdvm_map_check() that prints the first
 * violation on stderr.  Kept with the platform because it writes to the
 * host's stderr; a kernel calls bsdvm_map_check() and logs the reason its
 * own way.
 */
#include <stdio.h>

#include <bsdvm/map.h>

bool vm_map_check(struct vm_map *map)
{
	char why[256];

	if (bsdvm_map_check(map, why, sizeof(why)))
		return true;
	fprintf(stderr, "vm_map_check: %s\n", why);
	return false;
}
