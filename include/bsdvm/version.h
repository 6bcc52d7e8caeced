/*
 * bsdvm/version.h - compile-time and run-time version.
 * CMakeLists.txt reads the three numbers below, so they are the only copy.
 */
#ifndef BSDVM_VERSION_H
#define BSDVM_VERSION_H

#include <bsdvm/types.h>

#define BSDVM_VERSION_MAJOR 0
#define BSDVM_VERSION_MINOR 3
#define BSDVM_VERSION_PATCH 0

#define BSDVM_VERSION_STR_(a, b, c) #a "." #b "." #c
#define BSDVM_VERSION_STR_X(a, b, c) BSDVM_VERSION_STR_(a, b, c)
#define BSDVM_VERSION_STRING \
	BSDVM_VERSION_STR_X(BSDVM_VERSION_MAJOR, BSDVM_VERSION_MINOR, BSDVM_VERSION_PATCH)
#define BSDVM_VERSION_HEX \
	((BSDVM_VERSION_MAJOR << 16) | (BSDVM_VERSION_MINOR << 8) | BSDVM_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library actually linked: (major << 16) | (minor << 8) | patch. */
BSDVM_API unsigned bsdvm_version(void);
/* The same as a string, "0.1.0". */
BSDVM_API const char *bsdvm_version_string(void);

#ifdef __cplusplus
}
#endif
#endif /* BSDVM_VERSION_H */
