/*
 * workload.h - the one interface every alloclab workload fills in.
 *
 * A workload is one .c file in workloads/ that defines
 *
 *     const struct workload workload_<file name> = { ... };
 *
 * and the Makefile registers it. The runner builds the data set once (fill),
 * then gives each worker a private view of it from the strategy under test
 * and calls work() in the worker: a thread or a forked child, pinned.
 * work() verifies what it reads, so a strategy that serves wrong data fails
 * its cell instead of reporting a fast time.
 */
#ifndef ALLOCLAB_WORKLOAD_H
#define ALLOCLAB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocator.h"

#define WORKLOAD_ERR_LEN 600

enum pattern { PATTERN_SEQ, PATTERN_RANDOM };
enum size_dist { SIZES_UNIFORM, SIZES_FIXED, SIZES_HEAVY };

/* VIEWS: each worker gets a private view of a data set (every strategy).
 * HEAP: workers call the strategy's heap directly (heap strategies only;
 * a copy-on-write strategy's cell is reported not applicable). */
enum workload_kind { WORKLOAD_VIEWS, WORKLOAD_HEAP };

struct workload_params {
    size_t size;           /* bytes in the data set (VIEWS) */
    int workers;
    double write_fraction; /* of the data set's pages each worker writes, 0..1 */
    enum pattern pattern;
    long reads;            /* lookups per worker (read_heavy) */
    int steps;             /* write steps, each sampled (overcommit) */
    long ops;              /* heap operations per worker (churn) */
    enum size_dist sizes;  /* churn size mix */
    size_t fixed_size;     /* for SIZES_FIXED */
    double cross_free;     /* fraction of frees handed to another thread (churn) */
    long window;           /* live blocks per worker (churn) */
    const char *trace;     /* malloc-lab trace file (trace) */
    uint64_t seed;
};

#define WORKLOAD_MAX_STEPS 64

struct worker_ctx {
    int index;                         /* 0..workers-1 */
    const struct workload_params *params;
    struct view *view;                 /* this worker's private view (VIEWS) */
    const struct allocator *strategy;  /* the heap under test (HEAP) */
    void *self;
    /* overcommit: call after each step; returns once the runner has sampled */
    void (*step_done)(struct worker_ctx *ctx, int step);
    void *runner_state;
    /* HEAP: other workers' contexts, for handing blocks across threads */
    struct worker_ctx *peers;
    void *exchange;                    /* owned by the workload */
    /* latency samples: room given by the runner, filled by the workload */
    uint64_t *lat_ns;
    size_t lat_cap, lat_n;
    /* results */
    uint64_t pages_written;
    uint64_t ops;
    double fork_ns;                    /* fork_cost: median fork() time */
    double fork_rss_bytes;             /* fork_cost: resident size of the forking process */
    char err[WORKLOAD_ERR_LEN];
};

struct workload {
    const char *name;
    const char *summary;  /* one line */
    const char *knobs;    /* the knobs and their defaults, for list --verbose */
    enum workload_kind kind;
    bool sampled_steps; /* work() calls step_done(0..steps); memory is sampled at each */
    struct workload_params defaults;
    /* fill the data set with real content; 0 or -1 with err */
    int (*fill)(const struct workload_params *p, void *base, size_t size, char err[WORKLOAD_ERR_LEN]);
    /* one worker's measured work; 0, or -1 with ctx->err */
    int (*work)(struct worker_ctx *ctx);
    /* optional: set up / tear down shared state for all workers (outside
     * the measured phase); 0 or -1 with err */
    int (*prepare)(const struct workload_params *p, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN]);
    void (*finish)(struct worker_ctx *ctxs, int n);
};

extern const struct workload *const workload_registry[];
const struct workload *workload_find(const char *name);

/* ---- helpers the workloads share ---- */

/* Exactly round(fraction x pages) pages: the count every workload writes. */
static inline uint64_t pages_to_write(double fraction, uint64_t pages)
{
    return (uint64_t)(fraction * (double)pages + 0.5);
}

/* The i-th page of a write order over `pages` pages. Sequential: 0, 1, 2...
 * spread evenly when only some are written. Random: a fixed permutation
 * (i * stride + offset mod pages, stride coprime with pages) so no page
 * repeats and no memory is needed to remember which were written. */
static inline uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

struct page_order {
    uint64_t pages, count, stride, offset;
    enum pattern pattern;
};

static inline struct page_order page_order_make(uint64_t pages, uint64_t count, enum pattern pattern, uint64_t seed)
{
    struct page_order o = {pages, count, 1, 0, pattern};
    if (pattern == PATTERN_RANDOM && pages > 1) {
        uint64_t s = (seed * 0x9e3779b97f4a7c15ull) | 1;
        o.stride = s % pages;
        while (o.stride == 0 || gcd_u64(o.stride, pages) != 1)
            o.stride = (o.stride + 1) % pages;
        o.offset = (seed >> 7) % pages;
    }
    return o;
}

static inline uint64_t page_order_at(const struct page_order *o, uint64_t i)
{
    if (o->pattern == PATTERN_RANDOM)
        return (i * o->stride + o->offset) % o->pages;
    /* sequential, evenly spread: page floor(i * pages / count) */
    return o->count ? (uint64_t)((__uint128_t)i * o->pages / o->count) : 0;
}

static inline uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif
