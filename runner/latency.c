/*
 * latency.c - a heap cell's latency percentiles, from the samples every
 * worker took (allocations and frees apart, workload.h).
 */
#include "latency.h"

#include <stdlib.h>
#include <string.h>

#include "allocator.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double percentile(const uint64_t *sorted, size_t n, double q)
{
    if (!n)
        return NA;
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return (double)sorted[i < n ? i : n - 1];
}

void latency_percentiles(const struct worker_ctx *ctx, int n_workers, int kind, double out[4])
{
    size_t n = 0;
    for (int i = 0; i < n_workers; i++)
        n += ctx[i].lat[kind].n;
    uint64_t *all = malloc((n ? n : 1) * sizeof *all);
    if (!all)
        return; /* NA: out of memory after the measurement, nothing to sort */
    n = 0;
    for (int i = 0; i < n_workers; i++) {
        const struct lat_samples *l = &ctx[i].lat[kind];
        memcpy(all + n, l->ns, l->n * sizeof *all);
        n += l->n;
    }
    qsort(all, n, sizeof *all, cmp_u64);
    out[0] = percentile(all, n, 0.50);
    out[1] = percentile(all, n, 0.99);
    out[2] = percentile(all, n, 0.999);
    out[3] = n ? (double)all[n - 1] : NA;
    free(all);
}

