/*
 * resolution.c - a latency against the timer's step (resolution.h).
 */
#include "resolution.h"

#include <math.h>

#define ROUNDING 0.5 /* ns: a sample is rounded to the whole ns */

double latency_step(double step_ns) { return step_ns > 1 || isnan(step_ns) ? step_ns : 1; }

bool latency_resolvable(double ns, double step_ns)
{
    return !isnan(ns) && step_ns > 0 && ns >= 2 * latency_step(step_ns) - ROUNDING; /* NA compares false */
}

bool latency_under_step(double ns, double step_ns)
{
    return !isnan(ns) && step_ns > 0 && ns < latency_step(step_ns) - ROUNDING;
}

bool run_latency_resolvable(const struct run_folder *run, long row, const char *figure)
{
    return latency_resolvable(run_median(run, row, figure), run_median(run, row, "lat_resolution_ns"));
}
