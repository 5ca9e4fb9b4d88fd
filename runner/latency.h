/* latency.h - a heap cell's latency percentiles from its workers' samples. */
#ifndef ALLOCLAB_LATENCY_H
#define ALLOCLAB_LATENCY_H

#include "workload.h"

/* p50, p99, p99.9 and max of one kind of sample (LAT_ALLOC, LAT_FREE) over
 * every worker's, into out; NA where there is none. */
void latency_percentiles(const struct worker_ctx *ctx, int n_workers, int kind, double out[4]);

#endif
