/*
 * churn - many threads doing small malloc/free: lock contention, latency
 * tails, fragmentation.
 *
 * Each of T threads fills a window of live blocks, then runs M operations
 * larson-style: pick a random slot, free its block, allocate a new one into
 * it (two operations). Replacing, rather than flipping a slot between empty
 * and full, keeps the live set steady and leaves the loop no coin-flip branch
 * to mispredict: the loop costs less, so more of each operation's time is the
 * heap's. Sizes come from a mix (uniform 16-512 B by default, fixed, or
 * heavy-tailed). With --cross-free F, a fraction F of frees hands the block to
 * the next thread, which frees it (memory allocated on one thread, released on
 * another).
 * Every block carries a tag in its first word (its first bytes, if smaller),
 * checked before it is freed, so a heap that hands one address to two live
 * blocks fails the cell.
 *
 * Latency: about 32768 replacements per thread, spread evenly over the
 * whole run, have their free and their allocation timed apart, with
 * serialized stamps whose own cost is measured and subtracted (stamp.h);
 * the timer's resolution is reported beside the percentiles. Heap
 * strategies only: a copy-on-write strategy has no heap, and its cell is
 * reported not applicable.
 *
 * Random numbers: one splitmix64 draw per replacement (two with cross-frees);
 * its low 32 bits pick the slot and its high 32 bits the size, each by
 * multiply-and-shift rather than a division (a 64-bit division cost more
 * than the fastest heap's whole operation on the 2-core VM).
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "groups.h"
#include "heapops.h"
#include "workload.h"

#define RING 1024

struct handoff {
    void *ptr;
    size_t size, slot;
};

/* one producer (the previous thread), one consumer (this thread) */
struct ring {
    _Atomic uint64_t head, tail;
    struct handoff slot[RING];
};

struct live_block {
    void *ptr;
    size_t size;
};

enum size_dist { SIZES_UNIFORM, SIZES_FIXED, SIZES_HEAVY };

/* The knobs as the loop uses them, read once in prepare. */
struct churn_params {
    long ops, window;
    enum size_dist sizes;
    size_t fixed_size; /* SIZES_FIXED */
    double cross_free;
    uint64_t seed;
    int workers;
};

/* "uniform", "heavy" or "fixed:N" (N from 1 byte to 1G); 0, or -1. */
static int parse_sizes(const char *text, struct churn_params *out)
{
    size_t fixed;
    if (!strcmp(text, "uniform"))
        out->sizes = SIZES_UNIFORM;
    else if (!strcmp(text, "heavy"))
        out->sizes = SIZES_HEAVY;
    else if (!strncmp(text, "fixed:", 6) && !parse_size(text + 6, &fixed) && fixed > 0 && fixed <= (1u << 30)) {
        out->sizes = SIZES_FIXED;
        out->fixed_size = fixed;
    } else
        return -1;
    return 0;
}

static int sizes_ok(union param_value v, char *err, size_t len)
{
    struct churn_params p;
    if (parse_sizes(v.text, &p) == 0)
        return 0;
    snprintf(err, len, "must be uniform, heavy or fixed:N (N from 1 to 1G), not '%s'", v.text);
    return -1;
}

enum { K_WORKERS, K_OPS, K_WINDOW, K_SIZES, K_CROSS, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_WORKERS] = KNOB_WORKERS("1"),
    [K_OPS] = {.name = "ops", .type = PARAM_COUNT, .def = "2000000", .min = 1, .max = 1e11,
               .help = "heap operations per thread (an allocation or a free each)"},
    [K_WINDOW] = {.name = "window", .type = PARAM_COUNT, .def = "1024", .min = 1, .max = 1 << 24,
                  .help = "live blocks per thread"},
    [K_SIZES] = {.name = "sizes", .type = PARAM_TEXT, .def = "uniform", .check = sizes_ok,
                 .choices = "uniform|heavy|fixed:N (N from 1 to 1G)",
                 .help = "block sizes: uniform (16-512 B), heavy (Pareto from 16 B, capped at 256 KiB), fixed:N"},
    [K_CROSS] = {.name = "cross-free", .type = PARAM_FRACTION, .def = "0", .min = 0, .max = 1,
                 .help = "fraction of frees handed to the next thread, which frees the block"},
    [K_SEED] = KNOB_SEED,
};

struct churn_state {
    struct churn_params p;
    struct live_block *window; /* one entry per slot: one cache line read per replacement */
    struct stamp_clock clock;
    uint64_t sample_mask;      /* a replacement i with (i & mask) == 0 is timed */
    struct ring ring;
};

static bool tiny_blocks(const struct churn_params *p) { return p->sizes == SIZES_FIXED && p->fixed_size < 8; }

/* r: random bits of the current operation (bits 32..63 are free for this) */
static inline size_t draw_size(const struct churn_params *p, uint64_t r)
{
    switch (p->sizes) {
    case SIZES_FIXED: return p->fixed_size;
    case SIZES_HEAVY: {
        /* Pareto, alpha 1.2, from 16 B, capped at 256 KiB: mostly small, a few huge */
        double u = ((double)(r >> 32) + 1.0) / 4294967297.0;
        double s = 16.0 / pow(u, 1.0 / 1.2);
        return s > 262144 ? 262144 : (size_t)s;
    }
    default: return 16 + (size_t)(((r >> 32) * 497) >> 32);
    }
}

static int churn_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n,
                         char err[WORKLOAD_ERR_LEN])
{
    struct churn_params p = {.ops = (long)knob[K_OPS].n, .window = (long)knob[K_WINDOW].n,
                             .cross_free = knob[K_CROSS].f, .seed = knob[K_SEED].n, .workers = n};
    if (parse_sizes(knob[K_SIZES].text, &p) != 0) {
        snprintf(err, WORKLOAD_ERR_LEN, "sizes: '%s' is not uniform, heavy or fixed:N", knob[K_SIZES].text);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct churn_state *st = calloc(1, sizeof *st);
        if (st)
            st->window = calloc((size_t)p.window, sizeof *st->window);
        if (!st || !st->window) {
            free(st);
            snprintf(err, WORKLOAD_ERR_LEN, "out of memory for a window of %ld blocks", p.window);
            return -1;
        }
        st->p = p;
        stamp_clock_init(&st->clock);
        /* latency samples spread over the whole run */
        uint64_t rounds = p.ops > p.window ? (uint64_t)(p.ops - p.window) / 2 : 0;
        st->sample_mask = lat_sample_mask(rounds, lat_room(&ctxs[i]));
        ctxs[i].exchange = st;
    }
    return 0;
}

static __attribute__((noinline)) int overwritten(struct worker_ctx *ctx, const void *p, size_t size)
{
    snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: the %zu-byte block at %p was overwritten (overlap?)", ctx->index,
             size, p);
    return -1;
}

static __attribute__((noinline)) int alloc_failed(struct worker_ctx *ctx, size_t size)
{
    snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: alloc(%zu) failed", ctx->index, size);
    return -1;
}

/* The heap under test, held in locals by the loop: ctx is reachable from the
 * heap's calls, so fields read through it would be loaded again after each. */
struct heap_ref {
    struct heap_calls c;
    const struct churn_params *p;
    bool tsc;
    bool tiny;  /* see block_tag() */
    enum heap_mode mode; /* heapops.h; HEAP_PLAIN: the harness-free control, no stamps */
    uint64_t sample_mask;
};

/* Check the block's tag, then free it. 0, or -1 with ctx->err set. */
static inline __attribute__((always_inline)) int release(struct worker_ctx *ctx, struct heap_ref h, void *p,
                                                         size_t size, size_t slot)
{
    if (__builtin_expect(!block_tag_ok(p, size, slot, h.tiny), 0))
        return overwritten(ctx, p, size);
    heap_free(h.mode, h.c, p, size);
    return 0;
}

/* Free up to max blocks the previous thread handed over; how many, or -1. */
static long drain(struct worker_ctx *ctx, struct heap_ref hr, struct ring *r, int max)
{
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    long freed = 0;
    for (; freed < max && tail < head; freed++, tail++) {
        struct handoff h = r->slot[tail % RING];
        if (release(ctx, hr, h.ptr, h.size, h.slot))
            return -1;
    }
    atomic_store_explicit(&r->tail, tail, memory_order_release);
    return freed;
}

static int hand_off(struct ring *r, void *p, size_t size, size_t slot)
{
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (head - atomic_load_explicit(&r->tail, memory_order_acquire) >= RING)
        return 0; /* full: the caller frees it itself */
    r->slot[head % RING] = (struct handoff){p, size, slot};
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return 1;
}

/* Allocate a block for the slot and tag it. 0, or -1 with ctx->err set. */
static inline __attribute__((always_inline)) int place(struct worker_ctx *ctx, struct heap_ref h,
                                                       struct live_block *b, size_t slot, uint64_t r, int sample)
{
    size_t size = draw_size(h.p, r);
    uint64_t t0 = sample ? stamp(h.tsc) : 0;
    void *q = heap_alloc(h.mode, h.c, size);
    if (sample)
        ctx->lat[LAT_ALLOC].ns[ctx->lat[LAT_ALLOC].n++] = stamp(h.tsc) - t0;
    if (__builtin_expect(!q, 0))
        return alloc_failed(ctx, size);
    block_tag(q, size, slot, h.tiny);
    *b = (struct live_block){q, size};
    return 0;
}

/* One round of the loop: a random slot's block freed (or handed to the next
 * thread) and replaced. sample is a constant at each call, so that the
 * rounds without latency stamps (all but one in 512 or more) carry no
 * branch for them. */
static inline __attribute__((always_inline)) int replace_one(struct worker_ctx *ctx, struct heap_ref h,
                                                             struct churn_state *st, struct ring *next,
                                                             uint64_t *rng, uint64_t cross, long window, long i,
                                                             uint64_t *ops, bool sample)
{
    uint64_t r = splitmix64(rng);
    size_t slot = (size_t)(((r & 0xffffffffu) * (uint64_t)window) >> 32);
    struct live_block *b = &st->window[slot];
    if (cross) {
        /* a hand-off is not counted here: the next thread counts the free */
        if ((splitmix64(rng) >> 54) < cross && block_tag_ok(b->ptr, b->size, slot, h.tiny) &&
            hand_off(next, b->ptr, b->size, slot))
            goto replace;
        if ((i & 7) == 0) {
            long freed = drain(ctx, h, &st->ring, 8);
            if (freed < 0)
                return -1;
            *ops += (uint64_t)freed;
        }
    }
    uint64_t t0 = sample ? stamp(h.tsc) : 0;
    if (release(ctx, h, b->ptr, b->size, slot))
        return -1;
    if (sample)
        ctx->lat[LAT_FREE].ns[ctx->lat[LAT_FREE].n++] = stamp(h.tsc) - t0;
    ++*ops;
replace:
    if (place(ctx, h, b, slot, r, sample))
        return -1;
    ++*ops;
    return 0;
}

static bool lat_space_left(const struct worker_ctx *ctx)
{
    return ctx->lat[LAT_ALLOC].n < ctx->lat[LAT_ALLOC].cap && ctx->lat[LAT_FREE].n < ctx->lat[LAT_FREE].cap;
}

/* The loop counts operations in churn_work's local, not in ctx: ctx is
 * reachable from the heap calls, so a ctx->ops++ per operation would be a load
 * and a store the compiler may not drop, a chain through memory on every call. */
static inline __attribute__((always_inline)) int churn_loop(struct worker_ctx *ctx, uint64_t *ops, bool tiny,
                                                            enum heap_mode mode)
{
    struct churn_state *st = ctx->exchange;
    const struct churn_params *p = &st->p;
    int n = p->workers;
    struct ring *next = &((struct churn_state *)ctx->peers[(ctx->index + 1) % n].exchange)->ring;
    uint64_t rng = p->seed * 7919 + (uint64_t)ctx->index;
    uint64_t cross = n > 1 ? (uint64_t)(p->cross_free * 1024.0) : 0;
    long window = p->window < p->ops ? p->window : p->ops;
    struct heap_ref h = {heap_calls_of(ctx), p, st->clock.tsc, tiny, mode, st->sample_mask};
    /* the window fills first: its allocations are operations too */
    for (long s = 0; s < window; s++, ++*ops)
        if (place(ctx, h, &st->window[s], (size_t)s, splitmix64(&rng), 0))
            return -1;
    long rounds = (p->ops - window) / 2;
    for (long i = 0; i < rounds; i++) {
        bool sample = mode != HEAP_PLAIN && ((uint64_t)i & h.sample_mask) == 0 && lat_space_left(ctx);
        if (sample ? replace_one(ctx, h, st, next, &rng, cross, window, i, ops, true)
                   : replace_one(ctx, h, st, next, &rng, cross, window, i, ops, false))
            return -1;
    }
    long freed = drain(ctx, h, &st->ring, RING);
    if (freed < 0)
        return -1;
    *ops += (uint64_t)freed;
    for (long s = 0; s < window; s++, ++*ops)
        if (release(ctx, h, st->window[s].ptr, st->window[s].size, (size_t)s))
            return -1;
    return 0;
}

/* churn_loop compiled once per block kind and heap mode */
static int churn_loop_for(struct worker_ctx *ctx, uint64_t *ops, bool tiny, enum heap_mode mode)
{
    switch (mode) {
    case HEAP_PLAIN: return tiny ? churn_loop(ctx, ops, true, HEAP_PLAIN) : churn_loop(ctx, ops, false, HEAP_PLAIN);
    case HEAP_LIBRARY:
        return tiny ? churn_loop(ctx, ops, true, HEAP_LIBRARY) : churn_loop(ctx, ops, false, HEAP_LIBRARY);
    default: return tiny ? churn_loop(ctx, ops, true, HEAP_STRATEGY) : churn_loop(ctx, ops, false, HEAP_STRATEGY);
    }
}

static int churn_work(struct worker_ctx *ctx)
{
    struct churn_state *st = ctx->exchange;
    uint64_t ops = 0;
    size_t first[LAT_KINDS] = {ctx->lat[LAT_ALLOC].n, ctx->lat[LAT_FREE].n};
    int rc = churn_loop_for(ctx, &ops, tiny_blocks(&st->p), heap_mode_of(ctx, heap_calls_of(ctx)));
    ctx->ops += ops;
    lat_samples_finish(ctx, &st->clock, first);
    return rc;
}

/* after every thread is done: blocks handed off late are freed here */
static void churn_finish(struct worker_ctx *ctxs, int n)
{
    for (int i = 0; i < n; i++) {
        struct churn_state *st = ctxs[i].exchange;
        if (!st)
            continue;
        /* blocks handed over after their receiver finished: at most RING per
         * thread, freed after the measured phase but counted, so that every
         * allocation has its free in the count */
        struct heap_calls c = heap_calls_of(&ctxs[i]);
        struct heap_ref h = {c, &st->p, st->clock.tsc, tiny_blocks(&st->p), heap_mode_of(&ctxs[i], c), 0};
        long freed = st->window ? drain(&ctxs[i], h, &st->ring, RING) : 0;
        if (freed > 0)
            ctxs[i].ops += (uint64_t)freed;
        free(st->window);
        free(st);
        ctxs[i].exchange = NULL;
    }
}

/* The estimate: about 10 ns an operation, and 2.7 ps more per block of the
 * window (the blocks' cache misses), up to the largest window the
 * reference ran (131072); c 1.35 (locked_freelist's lock) */
static double churn_estimate(const union param_value *knob, int workers)
{
    double window = knob[K_WINDOW].n < 131072 ? (double)knob[K_WINDOW].n : 131072;
    return estimate_contended((double)knob[K_OPS].n * (10e-9 + window * 2.7e-12), 1.35, workers);
}

static const struct bench_plan plan[] = {
    /* threads from 1 to every processing unit (the machine's sweep): scaling and contention; the threads share
     * the operations, so that a lock every thread takes cannot make a big machine's cell last minutes */
    {.group = GROUP_CHURN, .strategies = PLAN_EVERY, .every = "workers=1..all",
     .profile = PER_PROFILE("ops=100000/workers", "ops=2000000/workers", "ops=6000000/workers",
                            "ops=20000000/workers")},
    /* fragmentation where the live set (window x 264 B on average) is well
     * above a heap's unit of reservation (an arena, a 2 MiB block): at the
     * largest window 34 MB, 17 such blocks */
    {.group = GROUP_FRAG, .strategies = PLAN_EVERY, .every = "workers=1",
     .profile = PER_PROFILE("window=256,4096 ops=20000", "window=1024,16384 ops=400000",
                            "window=1024,16384,131072 ops=1000000", "window=1024,16384,131072,1048576 ops=2000000")},
    {0},
};

const struct workload workload_churn = {
    .name = "churn",
    .summary = "threads doing small alloc/free over a window of live blocks (contention, tails, fragmentation)",
    .kind = WORKLOAD_HEAP,
    .plain_loop = true,
    .knobs = knobs,
    .plan = plan,
    .prepare = churn_prepare,
    .work = churn_work,
    .finish = churn_finish,
    .estimate = churn_estimate,
};
