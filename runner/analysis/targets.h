/* targets.h - the performance goals the suite's issues set, judged on a run. */
#ifndef ALLOCLAB_TARGETS_H
#define ALLOCLAB_TARGETS_H
#include <stdio.h>

#include "runfolder.h"

/* The goals as a markdown table, measured against the run (NA where not). */
void targets_write(FILE *f, const struct run_folder *run);
/* The summary rows of the cells a target reads whose interval straddles its
 * goal (the harness cost and the preload tax; the others are the claims'
 * cells), so that the bench gives them more repetitions before saying
 * "undecided", as it does a straddling verdict's (straddle.c). How many. */
int targets_undecided_rows(const struct run_folder *run, long rows[], int max);
#endif
