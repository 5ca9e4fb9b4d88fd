/*
 * memory_over_time - what a heap keeps after a burst of frees, and how soon
 * it gives it back: memory over time, not only its peak.
 *
 * Each worker allocates a burst of `burst` bytes in small blocks (sizes
 * uniform in [min-size, max-size]), then frees them in a random order, all
 * but a fraction `keep` (chosen at random, so that the survivors are spread
 * over the heap's pages: what a long-lived server's caches leave behind).
 * Then it waits, and the runner samples the process's resident memory
 * (RSS, PSS) and the heap's own live and reserved bytes at fixed times
 * (timeline.csv):
 *
 *   step 0 before the burst, 1 after it, 2 as soon as the frees are done,
 *   then at 1, 2, 5, 10, 20, 50, 100, 200, 500 ms, 1, 2, 5 and 10 s after
 *   the frees, as far as `until`. The column ms is when each sample was
 *   taken, since the measured phase began.
 *
 * While it waits the worker is, by `idle`: asleep (sleep), as a program that
 * went quiet; or doing one small allocation and free every 100 us (trickle),
 * as a program that is still serving. A heap that gives memory back only
 * from inside its own calls (on a decay clock that its calls advance) keeps
 * everything while the program sleeps; one with a background thread does
 * not need the calls.
 *
 * Every block carries a tag (heapops.h), checked before it is freed and,
 * for the survivors, at the end.
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "groups.h"
#include "heapops.h"
#include "workload.h"

enum { K_WORKERS, K_BURST, K_MIN, K_MAX, K_KEEP, K_UNTIL, K_IDLE, K_SEED, K_COUNT };
enum { IDLE_SLEEP, IDLE_TRICKLE };
static const struct param knobs[K_COUNT + 1] = {
    [K_WORKERS] = KNOB_WORKERS("1"),
    [K_BURST] = {.name = "burst", .type = PARAM_SIZE, .def = "64M", .min = 4096, .max = (double)(1ull << 40),
                 .help = "bytes each worker allocates in the burst"},
    [K_MIN] = KNOB_MIN_SIZE("16"),
    [K_MAX] = KNOB_MAX_SIZE("1024"),
    [K_KEEP] = {.name = "keep", .type = PARAM_FRACTION, .def = "0", .min = 0, .max = 1,
                .help = "fraction of the burst's blocks left live, chosen at random"},
    [K_UNTIL] = {.name = "until", .type = PARAM_COUNT, .def = "1000", .min = 1, .max = 10000,
                 .help = "ms after the frees of the last sample (samples at 1, 2, 5, 10 ... ms)"},
    [K_IDLE] = {.name = "idle", .type = PARAM_CHOICE, .def = "sleep", .choices = "sleep|trickle",
                .help = "between samples: asleep, or one small allocation and free every 100 us"},
    [K_SEED] = KNOB_SEED,
};

enum { R_BURST_KIB, R_KEPT_KIB, R_COUNT };
static const struct result_def results[R_COUNT + 1] = {
    [R_BURST_KIB] = {"burst_kib", "KiB", MERGE_SUM, "bytes the workers allocated in their bursts"},
    [R_KEPT_KIB] = {"kept_live_kib", "KiB", MERGE_SUM, "bytes the workers left live after the frees"},
};

/* the fixed sampling times after the frees, in ms */
static const unsigned schedule_ms[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
#define NSCHEDULE (sizeof schedule_ms / sizeof *schedule_ms)
#define FIRST_TIMED_STEP 3

struct block {
    void *ptr;
    size_t size;
};

struct mot_state {
    struct block *blocks;
    size_t n, cap;
    size_t *order; /* the frees' random order */
};

static int mot_validate(const union param_value *knob, int workers, const struct allocator *strategy,
                        char err[WORKLOAD_ERR_LEN])
{
    (void)workers, (void)strategy;
    return size_range_check(knob[K_MIN], knob[K_MAX], err);
}

static int mot_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    if (mot_validate(knob, n, ctxs[0].strategy, err))
        return -1;
    /* Room for twice the blocks a burst takes on average: a sum of that many
     * uniform sizes never falls that short. The arrays are touched here, so
     * that their pages are resident before the first sample, not counted as
     * the burst's. */
    size_t cap = (size_t)(2 * knob[K_BURST].n / ((knob[K_MIN].n + knob[K_MAX].n) / 2)) + 1024;
    for (int i = 0; i < n; i++) {
        struct mot_state *st = calloc(1, sizeof *st);
        if (st) {
            st->blocks = calloc(cap, sizeof *st->blocks);
            st->order = calloc(cap, sizeof *st->order);
        }
        ctxs[i].exchange = st;
        if (!st || !st->blocks || !st->order)
            return snprintf(err, WORKLOAD_ERR_LEN, "out of memory for the addresses of %zu blocks", cap), -1;
        st->cap = cap;
        memset(st->blocks, 0, cap * sizeof *st->blocks);
        memset(st->order, 0, cap * sizeof *st->order);
    }
    return 0;
}

static __attribute__((noinline)) int mot_fail(struct worker_ctx *ctx, const char *what, size_t size)
{
    snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: %s (%zu bytes)", ctx->index, what, size);
    return -1;
}

static int burst(struct worker_ctx *ctx, struct mot_state *st, uint64_t *rng)
{
    size_t min = ctx->knob[K_MIN].n, range = ctx->knob[K_MAX].n - min + 1;
    uint64_t bytes = 0;
    while (bytes < ctx->knob[K_BURST].n) {
        if (st->n == st->cap)
            return mot_fail(ctx, "more blocks in the burst than room for their addresses", 0);
        size_t size = size_draw(min, range, splitmix64(rng));
        void *p = ctx->strategy->alloc(ctx->self, size);
        if (!p)
            return mot_fail(ctx, "allocation failed in the burst", size);
        block_tag(p, size, st->n, false);
        st->blocks[st->n++] = (struct block){p, size};
        bytes += size;
    }
    ctx->ops += st->n;
    ctx->result[R_BURST_KIB] = (double)bytes / 1024;
    return 0;
}

/* Free all but `keep` of the blocks, in a random order; the survivors stay. */
static int free_most(struct worker_ctx *ctx, struct mot_state *st, uint64_t *rng)
{
    for (size_t i = 0; i < st->n; i++)
        st->order[i] = i;
    for (size_t i = st->n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(((splitmix64(rng) & 0xffffffffu) * i) >> 32), t = st->order[i - 1];
        st->order[i - 1] = st->order[j];
        st->order[j] = t;
    }
    size_t survivors = (size_t)(ctx->knob[K_KEEP].f * (double)st->n + 0.5);
    double kept = 0;
    for (size_t i = survivors; i < st->n; i++) { /* order[0..survivors) stay */
        struct block *b = &st->blocks[st->order[i]];
        if (!block_tag_ok(b->ptr, b->size, st->order[i], false))
            return mot_fail(ctx, "a live block was overwritten (overlap?)", b->size);
        ctx->strategy->free(ctx->self, b->ptr, b->size);
        b->ptr = NULL;
    }
    for (size_t i = 0; i < survivors; i++)
        kept += (double)st->blocks[st->order[i]].size;
    ctx->ops += st->n - survivors;
    ctx->result[R_KEPT_KIB] = kept / 1024;
    return 0;
}

/* Wait until `deadline` (CLOCK_MONOTONIC), asleep or trickling. */
static int wait_until(struct worker_ctx *ctx, const struct timespec *deadline, uint64_t *rng)
{
    bool trickle = ctx->knob[K_IDLE].n == IDLE_TRICKLE;
    for (;;) {
        struct timespec now, nap = {0, 100 * 1000};
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
            return 0;
        if (!trickle) {
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL) == EINTR)
                ;
            return 0;
        }
        size_t size = 16 + (size_t)(((splitmix64(rng) >> 32) * 241) >> 32);
        void *p = ctx->strategy->alloc(ctx->self, size);
        if (!p)
            return mot_fail(ctx, "allocation failed while trickling", size);
        block_tag(p, size, 0, false);
        ctx->strategy->free(ctx->self, p, size);
        ctx->ops += 2;
        nanosleep(&nap, NULL);
    }
}

static int mot_work(struct worker_ctx *ctx)
{
    struct mot_state *st = ctx->exchange;
    uint64_t rng = ctx->knob[K_SEED].n * 7919 + (uint64_t)ctx->index, until = ctx->knob[K_UNTIL].n;
    int steps = FIRST_TIMED_STEP - 1;
    while (steps + 1 - FIRST_TIMED_STEP < (int)NSCHEDULE && schedule_ms[steps + 1 - FIRST_TIMED_STEP] <= until)
        steps++;
    ctx->step_done(ctx, 0, steps);
    if (burst(ctx, st, &rng))
        return -1;
    ctx->step_done(ctx, 1, steps);
    if (free_most(ctx, st, &rng))
        return -1;
    struct timespec freed;
    clock_gettime(CLOCK_MONOTONIC, &freed);
    ctx->step_done(ctx, 2, steps);
    for (int s = FIRST_TIMED_STEP; s <= steps; s++) {
        uint64_t ns = (uint64_t)freed.tv_nsec + (uint64_t)schedule_ms[s - FIRST_TIMED_STEP] * 1000000u;
        struct timespec at = {freed.tv_sec + (time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
        if (wait_until(ctx, &at, &rng))
            return -1;
        ctx->step_done(ctx, s, steps);
    }
    for (size_t k = 0; k < st->n; k++)
        if (st->blocks[k].ptr && !block_tag_ok(st->blocks[k].ptr, st->blocks[k].size, k, false))
            return mot_fail(ctx, "a block left live was overwritten while the heap gave memory back",
                            st->blocks[k].size);
    return 0;
}

/* The survivors, freed once every worker is done (one found overwritten
 * has already failed the cell, and is left alone). */
static void mot_finish(struct worker_ctx *ctxs, int n)
{
    for (int i = 0; i < n; i++) {
        struct mot_state *st = ctxs[i].exchange;
        for (size_t k = 0; st && k < st->n; k++)
            if (st->blocks[k].ptr && block_tag_ok(st->blocks[k].ptr, st->blocks[k].size, k, false))
                ctxs[i].strategy->free(ctxs[i].self, st->blocks[k].ptr, st->blocks[k].size);
        if (st) {
            free(st->blocks);
            free(st->order);
        }
        free(st);
        ctxs[i].exchange = NULL;
    }
}

/* The estimate: the samples' time after the frees, and 3.3 ns a byte of
 * the burst; more workers: churn's c, 1.35 */
static double mot_estimate(const union param_value *knob, int workers)
{
    return estimate_contended((double)knob[K_UNTIL].n / 1000 + (double)knob[K_BURST].n * 3.3e-9, 1.35, workers);
}

static const struct bench_plan plan[] = {
    {.group = GROUP_RELEASE, .strategies = PLAN_EVERY,
     .profile = PER_PROFILE("burst=4M until=20 idle=sleep", "burst=8M until=100 idle=sleep,trickle",
                            "burst=16M until=100 idle=sleep,trickle",
                            "burst=256M until=3000 idle=sleep,trickle")},
    {0},
};

const struct workload workload_memory_over_time = {
    .name = "memory_over_time",
    .summary = "a burst of allocations, then frees: resident and reserved memory sampled at fixed times after",
    .kind = WORKLOAD_HEAP,
    .knobs = knobs,
    .results = results,
    .plan = plan,
    .validate = mot_validate,
    .prepare = mot_prepare,
    .work = mot_work,
    .finish = mot_finish,
    .estimate = mot_estimate,
};
