/* release.h - memory_over_time read back (the report): how much of a
 * burst's resident memory a heap still held right after the frees and at
 * the last sample, and what it said it had reserved. */
#ifndef ALLOCLAB_RELEASE_H
#define ALLOCLAB_RELEASE_H

#include <stdio.h>

#include "runfolder.h"

/* The report's table of the release group (nothing without its timeline). */
void release_write(FILE *f, const struct run_folder *run);
#endif
