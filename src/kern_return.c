/*
 * kern_return.c - names and descriptions of the KERN_* codes.
 */
#include <bsdvm/types.h>

static const struct {
	const char *name;
	const char *text;
} kern_codes[] = {
	{ "KERN_SUCCESS", "success" },
	{ "KERN_INVALID_ADDRESS", "address not in the map, or empty range" },
	{ "KERN_PROTECTION_FAILURE", "protection not allowed" },
	{ "KERN_NO_SPACE", "no free space, or range already in use" },
	{ "KERN_INVALID_ARGUMENT", "invalid argument" },
	{ "KERN_FAILURE", "operation failed" },
	{ "KERN_RESOURCE_SHORTAGE", "out of memory or other resource" },
	{ "KERN_NOT_RECEIVER", "not a receiver" },
	{ "KERN_NO_ACCESS", "no access" },
	{ "KERN_OUT_OF_BOUNDS", "protection exceeds the new maximum" },
	{ "KERN_RESTART", "restart the operation" },
	{ "KERN_WOULD_BLOCK", "the map is busy and the caller asked not to wait" },
};

#define NCODES (int)(sizeof(kern_codes) / sizeof(kern_codes[0]))

const char *bsdvm_kern_name(int code)
{
	return code >= 0 && code < NCODES ? kern_codes[code].name : "KERN_?";
}

const char *bsdvm_kern_strerror(int code)
{
	return code >= 0 && code < NCODES ? kern_codes[code].text : "unknown code";
}
