/*
 * heapops.h - what the heap workloads (churn, larson, producer_consumer)
 * share: a tag in every block, checked before the block is freed, and the
 * conversion of their latency samples from ticks to nanoseconds.
 */
#ifndef ALLOCLAB_HEAPOPS_H
#define ALLOCLAB_HEAPOPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stamp.h"
#include "workload.h"

/* The heap's calls, read once before a loop: the strategy's table is
 * reachable from the heap's own calls, so a loop reading a->alloc at each
 * call would load it again after every one. Where the instance is nothing
 * but a library's calls (allocator.library_calls), the loop calls the
 * library as a program would: the interface's dispatch (an indirect call,
 * a check, a jump) cost system_malloc 9% of churn's operations a second
 * against the plain loop, alloclab's cost and not the library's. */
struct heap_calls {
    void *(*alloc)(void *self, size_t size);
    void (*free)(void *self, void *ptr, size_t size);
    void *self;
    struct library_calls lib; /* all NULL: the strategy's own calls */
};

static inline struct heap_calls heap_calls_of(const struct worker_ctx *ctx)
{
    const struct allocator *a = ctx->strategy;
    if (!a)
        return (struct heap_calls){0};
    struct heap_calls h = {a->alloc, a->free, ctx->self, {0}};
    if (!a->library_calls || !a->library_calls(ctx->self, &h.lib))
        h.lib = (struct library_calls){0};
    return h;
}

/* The heap a loop calls. HEAP_PLAIN: the harness-free control
 * (ctx->plain_loop), the C library's malloc and free called directly.
 * HEAP_LIBRARY: the library's own calls (h.lib). HEAP_STRATEGY: the
 * strategy's. HEAP_EITHER: h.lib where it is set, tested at each call. A
 * loop passes the mode as a constant and is compiled once per value, so
 * that no version pays a branch for another. */
enum heap_mode { HEAP_PLAIN, HEAP_LIBRARY, HEAP_STRATEGY, HEAP_EITHER };

static inline enum heap_mode heap_mode_of(const struct worker_ctx *ctx, struct heap_calls h)
{
    return ctx->plain_loop ? HEAP_PLAIN : h.lib.alloc ? HEAP_LIBRARY : HEAP_STRATEGY;
}

static inline __attribute__((always_inline)) void *heap_alloc(enum heap_mode mode, struct heap_calls h, size_t size)
{
    if (mode == HEAP_PLAIN)
        return malloc(size);
    if (mode == HEAP_LIBRARY || (mode == HEAP_EITHER && h.lib.alloc))
        return h.lib.alloc(size);
    return h.alloc(h.self, size);
}

static inline __attribute__((always_inline)) void heap_free(enum heap_mode mode, struct heap_calls h, void *p,
                                                            size_t size)
{
    if (mode == HEAP_PLAIN)
        free(p);
    else if (mode == HEAP_LIBRARY || (mode == HEAP_EITHER && h.lib.free))
        h.lib.free(p, size);
    else
        h.free(h.self, p, size);
}

/* The tag names the block: its address, size and a number the workload
 * gives it (a window slot, a sequence number). A heap that hands one address
 * to two live blocks (the commonest heap bug: a corrupt free list, a double
 * hand-out) gets a mismatch when the first is freed; a block whose start
 * lands on another's is caught the same way. One word, at the head: a tail
 * tag would touch a second cache line per block for every strategy alike and
 * dilute what the loop measures. (alloclab check is the exhaustive overlap
 * test.) */
static inline uint64_t block_tag_of(const void *p, size_t size, uint64_t id)
{
    return ((uintptr_t)p * 0x9e3779b97f4a7c15ull) ^ size ^ (id << 40) ^ (id >> 24);
}

/* tiny: blocks may be under 8 bytes and hold only the first bytes of the
 * tag; writing all 8 would overrun them. A loop that can meet both is best
 * compiled once per value, so that the common case pays no branch for it:
 * a run-time test here cost block_suballoc 5% of its ops/s in churn. */
static inline void block_tag(void *p, size_t size, uint64_t id, bool tiny)
{
    uint64_t t = block_tag_of(p, size, id);
    if (tiny)
        memcpy(p, &t, size < sizeof t ? size : sizeof t);
    else
        *(uint64_t *)p = t;
}

static inline bool block_tag_ok(const void *p, size_t size, uint64_t id, bool tiny)
{
    uint64_t t = block_tag_of(p, size, id);
    if (tiny)
        return memcmp(p, &t, size < sizeof t ? size : sizeof t) == 0;
    return *(const uint64_t *)p == t;
}

/* Block sizes uniform in [min-size, max-size], at least 8 bytes (the tag). */
#define KNOB_MIN_SIZE(d)                                                                                           \
    {.name = "min-size", .type = PARAM_SIZE, .def = d, .min = 8, .max = 1 << 20,                                    \
     .help = "smallest block, bytes (at least 8: the tag)"}
#define KNOB_MAX_SIZE(d)                                                                                           \
    {.name = "max-size", .type = PARAM_SIZE, .def = d, .min = 8, .max = 1 << 20, .help = "largest block, bytes"}

/* 0, or -1 with err: the two size knobs the wrong way round. */
static inline int size_range_check(union param_value min, union param_value max, char err[WORKLOAD_ERR_LEN])
{
    if (min.n <= max.n)
        return 0;
    snprintf(err, WORKLOAD_ERR_LEN, "min-size %llu is above max-size %llu", (unsigned long long)min.n,
             (unsigned long long)max.n);
    return -1;
}

/* A size in [min, min + range): r's high 32 bits, by multiply-and-shift. */
static inline size_t size_draw(size_t min, size_t range, uint64_t r)
{
    return min + (size_t)(((r >> 32) * range) >> 32);
}

/* The samples a worker took since first[kind], converted from ticks to ns
 * at the rate its clock saw since stamp_clock_init, and the timer's step
 * set (stamp.h: at least one tick). With no rate to convert with, the samples are dropped:
 * latency not measured (NA), never 0. */
static inline void lat_samples_finish(struct worker_ctx *ctx, const struct stamp_clock *clock,
                                      const size_t first[LAT_KINDS])
{
    double ns_per_tick = stamp_rate(clock);
    for (int kind = 0; kind < LAT_KINDS; kind++) {
        struct lat_samples *l = &ctx->lat[kind];
        if (!(ns_per_tick > 0)) {
            l->n = first[kind];
            continue;
        }
        for (size_t k = first[kind]; k < l->n; k++)
            l->ns[k] = stamp_sample_ns(clock, l->ns[k], ns_per_tick);
    }
    if (ns_per_tick > 0)
        ctx->lat_resolution_ns = (double)clock->step_ticks * ns_per_tick;
}

/* A timed operation costs about 125 ns more than an untimed one on the
 * 2-core VM (four fenced stamps drain the pipeline): one in 512 keeps that
 * near 1% of a fast heap's time, which the plain-loop control measures. */
#define LAT_MIN_SPACING_MASK 511

/* The smallest power-of-two-minus-one mask m, at least LAT_MIN_SPACING_MASK,
 * such that timing every operation i with (i & m) == 0 spreads at most
 * `room` samples evenly over `count` operations; UINT64_MAX (never) when
 * there is no room. */
static inline uint64_t lat_sample_mask(uint64_t count, size_t room)
{
    if (!room)
        return UINT64_MAX;
    uint64_t mask = LAT_MIN_SPACING_MASK;
    while (count / (mask + 1) > room)
        mask = mask * 2 + 1;
    return mask;
}

static inline size_t lat_room(const struct worker_ctx *ctx)
{
    return ctx->lat[LAT_ALLOC].cap < ctx->lat[LAT_FREE].cap ? ctx->lat[LAT_ALLOC].cap : ctx->lat[LAT_FREE].cap;
}

#endif
