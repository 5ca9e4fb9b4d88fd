/* targets.h - the performance goals the suite's issues set, judged on a run. */
#ifndef ALLOCLAB_TARGETS_H
#define ALLOCLAB_TARGETS_H
#include <stdio.h>

#include "runfolder.h"

/* The goals as a markdown table, measured against the run (NA where not). */
void targets_write(FILE *f, const struct run_folder *run);
#endif
