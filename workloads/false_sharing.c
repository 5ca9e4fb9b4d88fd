/*
 * false_sharing - does the heap put two threads' objects on one cache line?
 * Hoard's cache-thrash and cache-scratch tests (Berger et al., 2000).
 *
 * Each worker, `iterations` times: allocates one small object, writes every
 * byte of it `writes` times, frees it. Two workers writing one 64-byte line
 * pass it between their cores on every write (false sharing: no byte is
 * shared, only the line), and a write costs tens of times more.
 *
 *   mode=thrash   the objects are each worker's own: a heap that serves
 *                 neighbouring small blocks to different threads, from one
 *                 free list say, puts them on one line.
 *   mode=scratch  worker 0 first allocates one object per worker, side by
 *                 side, and passes each its own; each worker frees it before
 *                 its iterations. A heap that puts a freed block in the
 *                 freeing thread's cache hands it straight back to that
 *                 thread, next to the other workers' objects: false sharing
 *                 caused by a remote free.
 *
 * Two figures, so that it does not hang on the hardware alone: write_ns, the
 * slowest worker's time per write (against one worker's: the slowdown), and
 * shared_lines, the largest share of a worker's objects that lay on a
 * cache line some other worker's object also used during the run: the
 * placement itself, read from the addresses, whatever the machine's caches
 * do with it. Every object is read back after its writes: a heap that gives
 * one object to two workers at once fails the cell.
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "stamp.h"
#include "workload.h"

#define LINE 64

enum { K_WORKERS, K_MODE, K_OBJECT, K_ITERATIONS, K_WRITES, K_SEED, K_COUNT };
enum { MODE_THRASH, MODE_SCRATCH };
static const struct param knobs[K_COUNT + 1] = {
    [K_WORKERS] = KNOB_WORKERS("2"),
    [K_MODE] = {.name = "mode", .type = PARAM_CHOICE, .def = "thrash", .choices = "thrash|scratch",
                .help = "thrash: each worker's own objects; scratch: first objects allocated by worker 0, "
                        "freed by their worker"},
    [K_OBJECT] = {.name = "object", .type = PARAM_SIZE, .def = "8", .min = 1, .max = 4096,
                  .help = "bytes in each object"},
    [K_ITERATIONS] = {.name = "iterations", .type = PARAM_COUNT, .def = "1000", .min = 1, .max = 1 << 24,
                      .help = "objects each worker allocates, writes and frees, one after another"},
    [K_WRITES] = {.name = "writes", .type = PARAM_COUNT, .def = "20000", .min = 1, .max = 1e9,
                  .help = "times every byte of an object is written before it is freed"},
    [K_SEED] = KNOB_SEED,
};

enum { R_WRITE_NS, R_SHARED_LINES, R_COUNT };
static const struct result_def results[R_COUNT + 1] = {
    [R_WRITE_NS] = {"write_ns", "ns", MERGE_MAX,
                    "the slowest worker's time per byte written (its loop over the objects: each object's "
                    "allocation and free included, one per `writes` passes)"},
    [R_SHARED_LINES] = {"shared_lines", "fraction", MERGE_MAX,
                        "the largest share of a worker's objects on a cache line another worker's object used"},
};

/* What the workers share: scratch's first objects and the barriers. */
struct fs_shared {
    _Atomic int handed, finished;
    char *first[WORKLOAD_MAX_WORKERS];
};

struct fs_state {
    struct fs_shared *shared;
    uintptr_t *lines; /* the first line of each iteration's object, sorted once the worker is done */
    size_t nlines;
};

static int fs_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    struct fs_shared *shared = calloc(1, sizeof *shared);
    if (!shared)
        return snprintf(err, WORKLOAD_ERR_LEN, "out of memory"), -1;
    for (int i = 0; i < n; i++) {
        struct fs_state *st = calloc(1, sizeof *st);
        uintptr_t *lines = st ? calloc(knob[K_ITERATIONS].n, sizeof *lines) : NULL;
        if (!lines) {
            free(st);
            if (i == 0)
                free(shared);
            return snprintf(err, WORKLOAD_ERR_LEN, "out of memory for %llu addresses",
                            (unsigned long long)knob[K_ITERATIONS].n), -1;
        }
        *st = (struct fs_state){.shared = shared, .lines = lines};
        ctxs[i].exchange = st;
    }
    return 0;
}

static void wait_for(_Atomic int *count, int target)
{
    while (atomic_load_explicit(count, memory_order_acquire) < target)
        sched_yield();
}

/* Write every byte `writes` times, then read it back. 0, or -1. */
static int hammer(char *obj, size_t size, uint64_t writes, unsigned char salt)
{
    volatile unsigned char *v = (volatile unsigned char *)obj; /* every store reaches the cache */
    for (uint64_t j = 0; j < writes; j++)
        for (size_t k = 0; k < size; k++)
            v[k] = (unsigned char)(k + j + salt);
    for (size_t k = 0; k < size; k++)
        if (v[k] != (unsigned char)(k + writes - 1 + salt))
            return -1;
    return 0;
}

static int cmp_uptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

/* The share of this worker's objects whose line another worker used. */
static double shared_share(struct worker_ctx *ctx, const uintptr_t *mine, size_t n)
{
    size_t shared = 0;
    for (size_t k = 0; k < n; k++) {
        bool hit = false;
        for (int w = 0; w < ctx->workers && !hit; w++) {
            const struct fs_state *o = ctx->peers[w].exchange;
            hit = w != ctx->index && bsearch(&mine[k], o->lines, o->nlines, sizeof mine[k], cmp_uptr);
        }
        shared += hit;
    }
    return n ? (double)shared / (double)n : 0;
}

/* scratch: worker 0 allocates every worker's first object, side by side */
static int hand_out_first(struct worker_ctx *ctx, struct fs_shared *sh, size_t size)
{
    if (ctx->index == 0) {
        for (int w = 0; w < ctx->workers; w++)
            if (!(sh->first[w] = ctx->strategy->alloc(ctx->self, size))) {
                snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker 0: alloc(%zu) failed", size);
                atomic_store(&sh->handed, -ctx->workers - 1); /* nobody waits for what never comes */
                return -1;
            }
        ctx->ops += (uint64_t)ctx->workers;
        atomic_store_explicit(&sh->handed, 1, memory_order_release);
    }
    while (atomic_load_explicit(&sh->handed, memory_order_acquire) == 0)
        sched_yield();
    if (atomic_load(&sh->handed) < 0)
        return snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: worker 0 failed", ctx->index), -1;
    ctx->strategy->free(ctx->self, sh->first[ctx->index], size);
    ctx->ops++;
    return 0;
}

static int fs_work(struct worker_ctx *ctx)
{
    struct fs_state *st = ctx->exchange;
    size_t size = ctx->knob[K_OBJECT].n;
    uint64_t iterations = ctx->knob[K_ITERATIONS].n, writes = ctx->knob[K_WRITES].n;
    int rc = ctx->knob[K_MODE].n == MODE_SCRATCH ? hand_out_first(ctx, st->shared, size) : 0;
    uint64_t t0 = stamp_clock_ns();
    for (uint64_t i = 0; rc == 0 && i < iterations; i++) {
        char *obj = ctx->strategy->alloc(ctx->self, size);
        if (!obj) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: alloc(%zu) failed", ctx->index, size);
            rc = -1;
            break;
        }
        st->lines[st->nlines++] = (uintptr_t)obj / LINE;
        if (hammer(obj, size, writes, (unsigned char)(ctx->index * 37 + i))) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: object %p changed under it: another worker has it",
                     ctx->index, (void *)obj);
            rc = -1;
        }
        ctx->strategy->free(ctx->self, obj, size);
        ctx->ops += 2;
    }
    uint64_t t1 = stamp_clock_ns();
    qsort(st->lines, st->nlines, sizeof st->lines[0], cmp_uptr);
    /* every worker's addresses are complete (and sorted) before any is compared */
    atomic_fetch_add_explicit(&st->shared->finished, 1, memory_order_acq_rel);
    wait_for(&st->shared->finished, ctx->workers);
    if (rc == 0) {
        ctx->result[R_WRITE_NS] = (double)(t1 - t0) / ((double)iterations * (double)writes * (double)size);
        ctx->result[R_SHARED_LINES] = shared_share(ctx, st->lines, st->nlines);
    }
    return rc;
}

static void fs_finish(struct worker_ctx *ctxs, int n)
{
    for (int i = 0; i < n; i++) {
        struct fs_state *st = ctxs[i].exchange;
        if (st && i == 0)
            free(st->shared);
        if (st)
            free(st->lines);
        free(st);
        ctxs[i].exchange = NULL;
    }
}

/* The estimate: 0.3 ns a byte written; c 0.05 */
static double fs_estimate(const union param_value *knob, int workers)
{
    double bytes = (double)knob[K_ITERATIONS].n * (double)knob[K_WRITES].n * (double)knob[K_OBJECT].n;
    return estimate_contended(bytes * 0.3e-9, 0.05, workers);
}

static const struct bench_plan plan[] = {
    {.group = GROUP_FALSE_SHARING, .strategies = PLAN_EVERY, .every = "mode=thrash,scratch",
     .profile = PER_PROFILE("workers=1,2 writes=2000", "workers=1,all writes=5000", "workers=1,all writes=5000",
                            "workers=1,2,all")},
    /* where the machine has two NUMA nodes or more: worker 0's objects freed, and reused, on another node */
    {.group = GROUP_NUMA, .strategies = PLAN_EVERY, .numa = true, .every = "mode=scratch pin=compact,cross",
     .profile = PER_PROFILE("workers=2 writes=2000", "workers=2 writes=5000", "workers=2 writes=5000", "workers=2,all")},
    {0},
};

const struct workload workload_false_sharing = {
    .name = "false_sharing",
    .summary = "threads write small objects of their own: does the heap put two threads' on one cache line?",
    .kind = WORKLOAD_HEAP,
    .knobs = knobs,
    .results = results,
    .plan = plan,
    .prepare = fs_prepare,
    .work = fs_work,
    .finish = fs_finish,
    .estimate = fs_estimate,
};
