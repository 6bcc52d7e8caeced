/*
 * version.c - the run-time version of the library.
 */
#include <bsdvm/version.h>

unsigned bsdvm_version(void)
{
	return BSDVM_VERSION_HEX;
}

const char *bsdvm_version_string(void)
{
	return BSDVM_VERSION_STRING;
}
