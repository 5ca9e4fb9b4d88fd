/*
 * larson - a server whose threads free what other threads allocated: the
 * stress test of Larson and Krishnan (1998) that every allocator suite
 * carries.
 *
 * Each worker owns a window of `window` live blocks, sizes uniform in
 * [min-size, max-size]; the worker's own thread allocates it. Then come
 * rounds, as in the original: a new thread (pinned where the worker is: a
 * thread inherits its creator's binding) takes the window over, replaces
 * `round` random blocks (frees one, allocates one of a new size into its
 * slot) and exits, handing the window to the next round's thread. So every
 * free after the first round is of a block another thread allocated, and
 * each round's thread is new to the heap: its caches start empty and must be
 * given back when it exits. A heap that keeps a dead thread's cache, or
 * serves a free from another thread slowly, shows it here and not in churn.
 * The worker's thread frees the window at the end.
 *
 * Timed: the whole phase, thread starts included (they are part of what
 * larson measures). Latency: about 32768 replacements per worker, spread
 * over the run, have their free and their allocation timed apart
 * (stamp.h). Every block carries a tag (heapops.h), checked before it is
 * freed: a heap that hands one address to two live blocks fails the cell.
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "heapops.h"
#include "workload.h"

enum { K_WORKERS, K_OPS, K_WINDOW, K_ROUND, K_MIN, K_MAX, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_WORKERS] = KNOB_WORKERS("2"),
    [K_OPS] = {.name = "ops", .type = PARAM_COUNT, .def = "2000000", .min = 1, .max = 1e11,
               .help = "heap operations per worker (an allocation or a free each), window included"},
    [K_WINDOW] = {.name = "window", .type = PARAM_COUNT, .def = "1000", .min = 1, .max = 1 << 24,
                  .help = "live blocks per worker, handed from round to round"},
    [K_ROUND] = {.name = "round", .type = PARAM_COUNT, .def = "10000", .min = 1, .max = 1e10,
                 .help = "replacements a round's thread makes before it hands the window on and exits"},
    [K_MIN] = KNOB_MIN_SIZE("8"),
    [K_MAX] = KNOB_MAX_SIZE("1000"),
    [K_SEED] = KNOB_SEED,
};

enum { R_THREADS, R_COUNT };
static const struct result_def results[R_COUNT + 1] = {
    [R_THREADS] = {"threads_started", "count", MERGE_SUM, "round threads started (each new to the heap)"},
};

struct live_block {
    void *ptr;
    size_t size;
};

/* One worker's lineage of threads: what each round's thread takes over. */
struct larson_state {
    struct worker_ctx *ctx;
    struct live_block *window;
    long window_len, replacements_left, round;
    size_t min_size, range;
    uint64_t rng, replaced; /* replaced: over every round, for the sampling */
    uint64_t ops, sample_mask;
    struct heap_calls heap; /* heapops.h: read once */
    struct stamp_clock clock;
    int rc;
};

static int larson_validate(const union param_value *knob, int workers, const struct allocator *strategy,
                           char err[WORKLOAD_ERR_LEN])
{
    (void)workers, (void)strategy;
    return size_range_check(knob[K_MIN], knob[K_MAX], err);
}

static int larson_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    if (larson_validate(knob, n, ctxs[0].strategy, err))
        return -1;
    long ops = (long)knob[K_OPS].n, window = (long)knob[K_WINDOW].n;
    if (window > ops / 2)
        window = ops / 2 > 0 ? ops / 2 : 1; /* room for the window's frees */
    for (int i = 0; i < n; i++) {
        struct larson_state *st = calloc(1, sizeof *st);
        if (st)
            st->window = calloc((size_t)window, sizeof *st->window);
        if (!st || !st->window) {
            free(st);
            snprintf(err, WORKLOAD_ERR_LEN, "out of memory for a window of %ld blocks", window);
            return -1;
        }
        *st = (struct larson_state){.ctx = &ctxs[i], .window = st->window, .window_len = window,
                                    .replacements_left = (ops - 2 * window) / 2, .round = (long)knob[K_ROUND].n,
                                    .min_size = knob[K_MIN].n, .range = knob[K_MAX].n - knob[K_MIN].n + 1,
                                    .rng = knob[K_SEED].n * 7919 + (uint64_t)i};
        st->sample_mask = lat_sample_mask((uint64_t)st->replacements_left, lat_room(&ctxs[i]));
        stamp_clock_init(&st->clock);
        ctxs[i].exchange = st;
    }
    return 0;
}

static __attribute__((noinline)) int larson_fail(struct larson_state *st, const char *what, const void *p, size_t size)
{
    snprintf(st->ctx->err, WORKLOAD_ERR_LEN, "worker %d: %s (%zu bytes at %p)", st->ctx->index, what, size, p);
    return -1;
}

/* plain: the harness-free control (heapops.h), a constant at every call */
static inline __attribute__((always_inline)) int place(struct larson_state *st, struct heap_calls h, size_t slot,
                                                       uint64_t r, bool sample, bool plain)
{
    struct worker_ctx *ctx = st->ctx;
    size_t size = size_draw(st->min_size, st->range, r);
    uint64_t t0 = sample ? stamp(st->clock.tsc) : 0;
    void *q = heap_alloc(plain ? HEAP_PLAIN : HEAP_EITHER, h, size);
    if (sample)
        ctx->lat[LAT_ALLOC].ns[ctx->lat[LAT_ALLOC].n++] = stamp(st->clock.tsc) - t0;
    if (__builtin_expect(!q, 0))
        return larson_fail(st, "allocation failed", NULL, size);
    block_tag(q, size, slot, false);
    st->window[slot] = (struct live_block){q, size};
    st->ops++;
    return 0;
}

static inline __attribute__((always_inline)) int release(struct larson_state *st, struct heap_calls h, size_t slot,
                                                         bool sample, bool plain)
{
    struct worker_ctx *ctx = st->ctx;
    struct live_block b = st->window[slot];
    if (__builtin_expect(!block_tag_ok(b.ptr, b.size, slot, false), 0))
        return larson_fail(st, "a live block was overwritten (overlap?)", b.ptr, b.size);
    uint64_t t0 = sample ? stamp(st->clock.tsc) : 0;
    heap_free(plain ? HEAP_PLAIN : HEAP_EITHER, h, b.ptr, b.size);
    if (sample)
        ctx->lat[LAT_FREE].ns[ctx->lat[LAT_FREE].n++] = stamp(st->clock.tsc) - t0;
    st->ops++;
    return 0;
}

/* One round's thread: replace up to `round` random blocks, then exit. */
static inline __attribute__((always_inline)) void *round_body(struct larson_state *st, bool plain)
{
    struct worker_ctx *ctx = st->ctx;
    struct heap_calls h = st->heap;
    long n = st->round < st->replacements_left ? st->round : st->replacements_left;
    for (long i = 0; i < n; i++, st->replaced++) {
        uint64_t r = splitmix64(&st->rng);
        size_t slot = (size_t)(((r & 0xffffffffu) * (uint64_t)st->window_len) >> 32);
        bool sample = !plain && (st->replaced & st->sample_mask) == 0 &&
                      ctx->lat[LAT_ALLOC].n < ctx->lat[LAT_ALLOC].cap && ctx->lat[LAT_FREE].n < ctx->lat[LAT_FREE].cap;
        if (release(st, h, slot, sample, plain) || place(st, h, slot, r, sample, plain)) {
            st->rc = -1;
            return NULL;
        }
    }
    st->replacements_left -= n;
    return NULL;
}

static void *round_thread(void *arg) { return round_body(arg, false); }
static void *round_thread_plain(void *arg) { return round_body(arg, true); }

static int larson_work(struct worker_ctx *ctx)
{
    struct larson_state *st = ctx->exchange;
    size_t first[LAT_KINDS] = {ctx->lat[LAT_ALLOC].n, ctx->lat[LAT_FREE].n};
    int rc = 0;
    bool plain = ctx->plain_loop;
    struct heap_calls h = st->heap = heap_calls_of(ctx);
    for (long s = 0; s < st->window_len && rc == 0; s++)
        rc = plain ? place(st, h, (size_t)s, splitmix64(&st->rng), false, true)
                   : place(st, h, (size_t)s, splitmix64(&st->rng), false, false);
    double threads = 0;
    while (rc == 0 && st->replacements_left > 0) {
        pthread_t t;
        int e = pthread_create(&t, NULL, plain ? round_thread_plain : round_thread, st);
        if (e) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: cannot start round thread %.0f: %s", ctx->index,
                     threads + 1, strerror(e));
            rc = -1;
            break;
        }
        pthread_join(t, NULL); /* the window is the next thread's only once this one has exited */
        threads++;
        rc = st->rc;
    }
    for (long s = 0; s < st->window_len && rc == 0; s++)
        rc = plain ? release(st, h, (size_t)s, false, true) : release(st, h, (size_t)s, false, false);
    ctx->ops += st->ops;
    ctx->result[R_THREADS] = threads;
    lat_samples_finish(ctx, &st->clock, first);
    return rc;
}

static void larson_finish(struct worker_ctx *ctxs, int n)
{
    for (int i = 0; i < n; i++) {
        struct larson_state *st = ctxs[i].exchange;
        if (st)
            free(st->window);
        free(st);
        ctxs[i].exchange = NULL;
    }
}

/* 1..P workers in the full profile; the smaller ones sweep what fits */
/* The estimate: 26 ns an operation, round threads included; c 3.65 */
static double larson_estimate(const union param_value *knob, int workers)
{
    return estimate_contended((double)knob[K_OPS].n * 26e-9, 3.65, workers);
}

static const struct bench_plan plan[] = {
    {.group = GROUP_LARSON, .strategies = PLAN_EVERY,
     /* the workers share the operations (a lock every thread takes: see churn's plan) */
     .profile = PER_PROFILE("workers=1,2 ops=60000 round=5000", "workers=1,all ops=1200000/workers",
                            "workers=1,2,4,all ops=1000000/workers", "workers=1..all ops=5000000/workers")},
    {0},
};

const struct workload workload_larson = {
    .name = "larson",
    .summary = "a server's threads replace blocks, then hand them to a new thread (cross-thread frees, thread churn)",
    .kind = WORKLOAD_HEAP,
    .plain_loop = true,
    .knobs = knobs,
    .results = results,
    .plan = plan,
    .validate = larson_validate,
    .prepare = larson_prepare,
    .work = larson_work,
    .finish = larson_finish,
    .estimate = larson_estimate,
};
