/*
 * churn - many threads doing small malloc/free: lock contention, latency
 * tails, fragmentation.
 *
 * Each of T threads keeps a window of live blocks and runs M operations: a
 * random slot is allocated if empty and freed if full. Sizes come from a mix
 * (uniform 16-512 B by default, fixed, or heavy-tailed). With --cross-free F,
 * a fraction F of frees hands the block to the next thread, which frees it
 * (larson-style: memory allocated on one thread, released on another).
 * Every block carries a tag at both ends, checked before it is freed, so a
 * heap that hands out overlapping blocks fails the cell.
 *
 * One operation in 64 is timed (clock_gettime around the call) for the
 * latency percentiles. Heap strategies only: a copy-on-write strategy has no
 * heap, and its cell is reported not applicable.
 *
 * Knobs: --workers (threads, 1), --ops (2000000 per thread), --window (1024),
 * --sizes uniform|fixed:N|heavy, --cross-free (0), --seed.
 */
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workload.h"

#define RING 1024
#define SAMPLE_MASK 63

struct handoff {
    void *ptr;
    size_t size;
};

/* one producer (the previous thread), one consumer (this thread) */
struct ring {
    _Atomic uint64_t head, tail;
    struct handoff slot[RING];
};

struct churn_state {
    void **ptr;
    size_t *size;
    struct ring ring;
};

static inline uint64_t tag_of(const void *p, size_t size) { return (uintptr_t)p * 0x9e3779b97f4a7c15ull ^ size; }

/* the tail tag may sit at any byte offset: memcpy, not a misaligned load */
static inline void tag(void *p, size_t size)
{
    ((uint64_t *)p)[0] = tag_of(p, size);
    if (size >= 16) {
        uint64_t tail = ~tag_of(p, size);
        memcpy((char *)p + size - 8, &tail, 8);
    }
}

static inline int tag_ok(void *p, size_t size)
{
    uint64_t tail = 0;
    if (size >= 16)
        memcpy(&tail, (char *)p + size - 8, 8);
    return ((uint64_t *)p)[0] == tag_of(p, size) && (size < 16 || tail == ~tag_of(p, size));
}

/* r: random bits of the current operation (bits 32..63 are free for this) */
static inline size_t draw_size(const struct workload_params *p, uint64_t r)
{
    switch (p->sizes) {
    case SIZES_FIXED: return p->fixed_size;
    case SIZES_HEAVY: {
        /* Pareto, alpha 1.2, from 16 B, capped at 256 KiB: mostly small, a few huge */
        double u = ((double)(r >> 32) + 1.0) / 4294967297.0;
        double s = 16.0 / pow(u, 1.0 / 1.2);
        return s > 262144 ? 262144 : (size_t)s;
    }
    default: return 16 + (r >> 32) % 497;
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int churn_prepare(const struct workload_params *p, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    for (int i = 0; i < n; i++) {
        struct churn_state *st = calloc(1, sizeof *st);
        if (st) {
            st->ptr = calloc((size_t)p->window, sizeof *st->ptr);
            st->size = calloc((size_t)p->window, sizeof *st->size);
        }
        if (!st || !st->ptr || !st->size) {
            snprintf(err, WORKLOAD_ERR_LEN, "out of memory for a window of %ld blocks", p->window);
            return -1;
        }
        ctxs[i].exchange = st;
    }
    return 0;
}

static int release(struct worker_ctx *ctx, void *p, size_t size)
{
    if (!tag_ok(p, size)) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: the %zu-byte block at %p was overwritten (overlap?)",
                 ctx->index, size, p);
        return -1;
    }
    ctx->strategy->free(ctx->self, p, size);
    ctx->ops++;
    return 0;
}

static int drain(struct worker_ctx *ctx, struct ring *r, int max)
{
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    for (int k = 0; k < max && tail < head; k++, tail++) {
        struct handoff h = r->slot[tail % RING];
        if (release(ctx, h.ptr, h.size))
            return -1;
    }
    atomic_store_explicit(&r->tail, tail, memory_order_release);
    return 0;
}

static int hand_off(struct ring *r, void *p, size_t size)
{
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (head - atomic_load_explicit(&r->tail, memory_order_acquire) >= RING)
        return 0; /* full: the caller frees it itself */
    r->slot[head % RING] = (struct handoff){p, size};
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return 1;
}

static int churn_work(struct worker_ctx *ctx)
{
    const struct workload_params *p = ctx->params;
    struct churn_state *st = ctx->exchange;
    int n = p->workers;
    struct ring *next = &((struct churn_state *)ctx->peers[(ctx->index + 1) % n].exchange)->ring;
    uint64_t rng = p->seed * 7919 + (uint64_t)ctx->index;
    uint64_t cross = (uint64_t)(p->cross_free * 1024.0);
    const struct allocator *a = ctx->strategy;
    for (long i = 0; i < p->ops; i++) {
        uint64_t r = splitmix64(&rng);
        size_t slot = (size_t)(r % (uint64_t)p->window);
        int sample = (i & SAMPLE_MASK) == 0 && ctx->lat_n < ctx->lat_cap;
        uint64_t t0 = sample ? now_ns() : 0;
        if (!st->ptr[slot]) {
            size_t size = draw_size(p, r);
            void *q = a->alloc(ctx->self, size);
            if (!q) {
                snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: alloc(%zu) failed", ctx->index, size);
                return -1;
            }
            if (sample)
                ctx->lat_ns[ctx->lat_n++] = now_ns() - t0;
            tag(q, size);
            st->ptr[slot] = q;
            st->size[slot] = size;
            ctx->ops++;
        } else {
            void *q = st->ptr[slot];
            size_t size = st->size[slot];
            st->ptr[slot] = NULL;
            if (n > 1 && cross && (r >> 22) % 1024 < cross && tag_ok(q, size) && hand_off(next, q, size))
                continue;
            if (release(ctx, q, size))
                return -1;
            if (sample)
                ctx->lat_ns[ctx->lat_n++] = now_ns() - t0;
        }
        if ((i & 15) == 0 && drain(ctx, &st->ring, 8))
            return -1;
    }
    if (drain(ctx, &st->ring, RING))
        return -1;
    for (long s = 0; s < p->window; s++)
        if (st->ptr[s] && release(ctx, st->ptr[s], st->size[s]))
            return -1;
    return 0;
}

/* after every thread is done: blocks handed off late are freed here */
static void churn_finish(struct worker_ctx *ctxs, int n)
{
    for (int i = 0; i < n; i++) {
        struct churn_state *st = ctxs[i].exchange;
        if (!st)
            continue;
        if (st->ptr)
            drain(&ctxs[i], &st->ring, RING);
        free(st->ptr);
        free(st->size);
        free(st);
        ctxs[i].exchange = NULL;
    }
}

const struct workload workload_churn = {
    .name = "churn",
    .summary = "threads doing small alloc/free over a window of live blocks (contention, tails, fragmentation)",
    .knobs = "--workers 1 (threads), --ops 2000000 per thread, --window 1024, --sizes uniform|fixed:N|heavy "
             "(uniform 16-512 B), --cross-free 0 (fraction handed to the next thread)",
    .kind = WORKLOAD_HEAP,
    .defaults = {.workers = 1, .ops = 2000000, .window = 1024, .sizes = SIZES_UNIFORM, .fixed_size = 64,
                 .cross_free = 0, .steps = 1, .seed = 1},
    .prepare = churn_prepare,
    .work = churn_work,
    .finish = churn_finish,
};
