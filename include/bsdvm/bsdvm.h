/*
 * bsdvm/bsdvm.h - everything of bsdvm's native interface in one include.
 */
#ifndef BSDVM_BSDVM_H
#define BSDVM_BSDVM_H

#include <bsdvm/types.h>
#include <bsdvm/version.h>
#include <bsdvm/platform.h>
#include <bsdvm/map.h>

#endif /* BSDVM_BSDVM_H */
