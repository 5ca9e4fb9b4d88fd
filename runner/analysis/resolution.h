/* resolution.h - the one rule every judge and target applies to a latency
 * against the timer's step (workloads/stamp.h, the lat_resolution_ns
 * column): a latency under two steps is compared with nothing, since the
 * stamps' cost taken out of it may be a step off; and one under a step is
 * shown as `<STEP`. */
#ifndef ALLOCLAB_RESOLUTION_H
#define ALLOCLAB_RESOLUTION_H

#include <stdbool.h>

#include "runfolder.h"

/* what a verdict or target says of a latency the rule sets aside */
#define NOT_RESOLVABLE "not resolvable on this machine"

/* The finest step a latency can show: the timer's, or 1 ns where the timer
 * is finer, since samples are whole ns. NA for NA. */
double latency_step(double step_ns);
/* Does a latency of ns span two steps or more (within the half ns a sample
 * is rounded by: two steps of 10.019 ns read 20)? false when either is NA. */
bool latency_resolvable(double ns, double step_ns);
/* Is it under one step (shown `<STEP`)? false when either is NA. */
bool latency_under_step(double ns, double step_ns);
/* latency_resolvable for a summary row's latency figure ("alloc_p999_ns"),
 * against the row's own step; false for a missing row. */
bool run_latency_resolvable(const struct run_folder *run, long row, const char *figure);

#endif
