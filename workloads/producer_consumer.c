/*
 * producer_consumer - one thread allocates, another frees (the shape of
 * xmalloc-test, and of every pipeline that passes buffers between stages).
 *
 * Workers pair up: worker 2k allocates blocks (sizes uniform in [min-size,
 * max-size]), tags each with its sequence number and passes it through a
 * bounded queue to worker 2k+1, which checks the tag and frees the block.
 * Every free is of a block another thread allocated, and the allocating
 * thread never frees: a heap that keeps freed blocks in the freeing thread's
 * cache, or gives them back to their owner only lazily, grows here while
 * its live set stays at most one queue's worth (reserved and RSS against
 * live_peak say by how much). An odd worker out is idle; one worker alone is
 * refused.
 *
 * The queue is single-producer single-consumer, so its own cost is a few
 * loads and stores; a side that finds it full (or empty) yields the
 * processing unit and counts a stall: which side stalls says whether the
 * allocations or the remote frees are the slower half.
 *
 * Latency: about 32768 allocations per producer and as many frees per
 * consumer, spread over the run, are timed (stamp.h). Blocks are checked
 * in order: a block that arrives with another's tag, or out of sequence,
 * fails the cell.
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "groups.h"
#include "heapops.h"
#include "workload.h"

enum { K_WORKERS, K_BLOCKS, K_QUEUE, K_MIN, K_MAX, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_WORKERS] = KNOB_WORKERS("2"),
    [K_BLOCKS] = {.name = "blocks", .type = PARAM_COUNT, .def = "1000000", .min = 1, .max = 1e11,
                  .help = "blocks each producer allocates (each freed by its consumer)"},
    [K_QUEUE] = {.name = "queue", .type = PARAM_COUNT, .def = "1024", .min = 1, .max = 1 << 24,
                 .help = "blocks the queue between a producer and its consumer holds"},
    [K_MIN] = KNOB_MIN_SIZE("16"),
    [K_MAX] = KNOB_MAX_SIZE("512"),
    [K_SEED] = KNOB_SEED,
};

enum { R_PRODUCER_STALLS, R_CONSUMER_STALLS, R_COUNT };
static const struct result_def results[R_COUNT + 1] = {
    [R_PRODUCER_STALLS] = {"producer_stalls", "count", MERGE_SUM, "times a producer found its queue full"},
    [R_CONSUMER_STALLS] = {"consumer_stalls", "count", MERGE_SUM, "times a consumer found its queue empty"},
};

struct entry {
    void *ptr;
    size_t size;
};

/* One pair's queue; head and tail on lines of their own, so the two sides
 * do not share a cache line except when they pass a block. */
struct queue {
    _Alignas(64) _Atomic uint64_t head; /* the producer's */
    _Alignas(64) _Atomic uint64_t tail; /* the consumer's */
    _Alignas(64) _Atomic bool stop;     /* one side failed: the other leaves too */
    uint64_t cap;
    struct entry *slot;
};

struct pc_state {
    struct queue *q; /* the pair's, owned by the producer's state */
    uint64_t blocks, seed, sample_mask;
    size_t min_size, range;
    struct stamp_clock clock;
};

static int pc_validate(const union param_value *knob, int workers, const struct allocator *strategy,
                       char err[WORKLOAD_ERR_LEN])
{
    (void)strategy;
    if (workers < 2) {
        snprintf(err, WORKLOAD_ERR_LEN, "producer_consumer pairs its workers (one allocates, one frees): "
                                        "it needs at least 2, not %d", workers);
        return -1;
    }
    return size_range_check(knob[K_MIN], knob[K_MAX], err);
}

static int pc_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    if (pc_validate(knob, n, ctxs[0].strategy, err))
        return -1;
    for (int i = 0; i < n; i++) {
        struct pc_state *st = calloc(1, sizeof *st);
        if (!st) {
            snprintf(err, WORKLOAD_ERR_LEN, "out of memory");
            return -1;
        }
        ctxs[i].exchange = st;
        *st = (struct pc_state){.blocks = knob[K_BLOCKS].n, .seed = knob[K_SEED].n * 7919 + (uint64_t)i / 2,
                                .min_size = knob[K_MIN].n, .range = knob[K_MAX].n - knob[K_MIN].n + 1};
        st->sample_mask = lat_sample_mask(st->blocks, lat_room(&ctxs[i]));
        stamp_clock_init(&st->clock);
        if (i % 2 == 0 && i + 1 < n) {
            st->q = aligned_alloc(64, sizeof *st->q);
            struct entry *slot = st->q ? calloc(knob[K_QUEUE].n, sizeof *slot) : NULL;
            if (!slot) {
                snprintf(err, WORKLOAD_ERR_LEN, "out of memory for a queue of %llu blocks",
                         (unsigned long long)knob[K_QUEUE].n);
                return -1;
            }
            *st->q = (struct queue){.cap = knob[K_QUEUE].n, .slot = slot};
        } else if (i % 2 == 1)
            st->q = ((struct pc_state *)ctxs[i - 1].exchange)->q;
    }
    return 0;
}

static __attribute__((noinline)) int pc_fail(struct worker_ctx *ctx, const char *what, uint64_t seq, size_t size)
{
    snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: block %llu (%zu bytes): %s", ctx->index,
             (unsigned long long)seq, size, what);
    return -1;
}

/* plain: the harness-free control (heapops.h), a constant at every call */
static inline __attribute__((always_inline)) int produce(struct worker_ctx *ctx, struct pc_state *st, bool plain)
{
    struct queue *q = st->q;
    struct heap_calls h = heap_calls_of(ctx);
    uint64_t rng = st->seed, stalls = 0;
    bool tsc = st->clock.tsc;
    for (uint64_t i = 0; i < st->blocks; i++) {
        size_t size = size_draw(st->min_size, st->range, splitmix64(&rng));
        bool sample = !plain && (i & st->sample_mask) == 0 && ctx->lat[LAT_ALLOC].n < ctx->lat[LAT_ALLOC].cap;
        uint64_t t0 = sample ? stamp(tsc) : 0;
        void *p = heap_alloc(plain ? HEAP_PLAIN : HEAP_EITHER, h, size);
        if (sample)
            ctx->lat[LAT_ALLOC].ns[ctx->lat[LAT_ALLOC].n++] = stamp(tsc) - t0;
        if (!p) {
            atomic_store(&q->stop, true);
            return pc_fail(ctx, "allocation failed", i, size);
        }
        block_tag(p, size, i, false);
        while (i - atomic_load_explicit(&q->tail, memory_order_acquire) >= q->cap) {
            if (atomic_load_explicit(&q->stop, memory_order_relaxed)) {
                heap_free(plain ? HEAP_PLAIN : HEAP_EITHER, h, p, size);
                return 0; /* the consumer's failure is the cell's */
            }
            stalls++;
            sched_yield();
        }
        q->slot[i % q->cap] = (struct entry){p, size};
        atomic_store_explicit(&q->head, i + 1, memory_order_release);
    }
    ctx->ops += st->blocks;
    ctx->result[R_PRODUCER_STALLS] = (double)stalls;
    return 0;
}

static inline __attribute__((always_inline)) int consume(struct worker_ctx *ctx, struct pc_state *st, bool plain)
{
    struct queue *q = st->q;
    struct heap_calls h = heap_calls_of(ctx);
    uint64_t stalls = 0, head = 0;
    bool tsc = st->clock.tsc;
    for (uint64_t i = 0; i < st->blocks; i++) {
        while (i >= head) {
            head = atomic_load_explicit(&q->head, memory_order_acquire);
            if (i >= head && atomic_load_explicit(&q->stop, memory_order_relaxed))
                return 0; /* the producer's failure is the cell's */
            if (i >= head) {
                stalls++;
                sched_yield();
            }
        }
        struct entry e = q->slot[i % q->cap];
        if (!block_tag_ok(e.ptr, e.size, i, false)) {
            atomic_store(&q->stop, true); /* the block stays in the queue: it is not ours to free */
            return pc_fail(ctx, "arrived overwritten or out of sequence (overlap?)", i, e.size);
        }
        bool sample = !plain && (i & st->sample_mask) == 0 && ctx->lat[LAT_FREE].n < ctx->lat[LAT_FREE].cap;
        uint64_t t0 = sample ? stamp(tsc) : 0;
        heap_free(plain ? HEAP_PLAIN : HEAP_EITHER, h, e.ptr, e.size);
        if (sample)
            ctx->lat[LAT_FREE].ns[ctx->lat[LAT_FREE].n++] = stamp(tsc) - t0;
        atomic_store_explicit(&q->tail, i + 1, memory_order_release);
    }
    ctx->ops += st->blocks;
    ctx->result[R_CONSUMER_STALLS] = (double)stalls;
    return 0;
}

static int pc_work(struct worker_ctx *ctx)
{
    struct pc_state *st = ctx->exchange;
    if (ctx->index % 2 == 0 && ctx->index + 1 == ctx->workers)
        return 0; /* the odd worker out */
    size_t first[LAT_KINDS] = {ctx->lat[LAT_ALLOC].n, ctx->lat[LAT_FREE].n};
    bool producer = ctx->index % 2 == 0;
    int rc = ctx->plain_loop ? (producer ? produce(ctx, st, true) : consume(ctx, st, true))
                             : (producer ? produce(ctx, st, false) : consume(ctx, st, false));
    lat_samples_finish(ctx, &st->clock, first);
    return rc;
}

/* After every worker is done: blocks a failed consumer left in the queue
 * are the heap's to take back. */
static void pc_finish(struct worker_ctx *ctxs, int n)
{
    for (int i = 0; i < n; i++) {
        struct pc_state *st = ctxs[i].exchange;
        if (st && i % 2 == 0 && st->q) {
            uint64_t head = atomic_load(&st->q->head), tail = atomic_load(&st->q->tail);
            for (uint64_t k = tail; k < head; k++) {
                struct entry e = st->q->slot[k % st->q->cap];
                if (block_tag_ok(e.ptr, e.size, k, false)) /* a block overwritten is left, not freed twice */
                    heap_free(ctxs[i].plain_loop ? HEAP_PLAIN : HEAP_EITHER, heap_calls_of(&ctxs[i]), e.ptr, e.size);
            }
            free(st->q->slot);
            free(st->q);
        }
        free(st);
        ctxs[i].exchange = NULL;
    }
}

/* The estimate: 600 ns a block for a pair (the reference's mean, with
 * system_malloc and locked_freelist at 1.6 and 1.1 us); more pairs: churn's
 * c, 1.35 (the reference has one pair only) */
static double pc_estimate(const union param_value *knob, int workers)
{
    return estimate_contended((double)knob[K_BLOCKS].n * 600e-9, 1.35, workers / 2);
}

static const struct bench_plan plan[] = {
    {.group = GROUP_HANDOFF, .strategies = PLAN_EVERY,
     .profile = PER_PROFILE("workers=2 blocks=50000", "workers=2 blocks=200000", "workers=2 blocks=200000",
                            "workers=2,4,8,16,32,64 blocks=1000000/workers")},
    /* where the machine has two NUMA nodes or more: each pair's two sides on one node, then on two */
    {.group = GROUP_NUMA, .strategies = PLAN_EVERY, .numa = true, .every = "pin=compact,cross",
     .profile = PER_PROFILE("workers=2 blocks=50000", "workers=2 blocks=200000", "workers=2 blocks=200000",
                            "workers=2,all blocks=1000000/workers")},
    {0},
};

const struct workload workload_producer_consumer = {
    .name = "producer_consumer",
    .summary = "one thread allocates, its partner frees, through a queue (remote frees, memory blow-up)",
    .kind = WORKLOAD_HEAP,
    .plain_loop = true,
    .knobs = knobs,
    .results = results,
    .plan = plan,
    .validate = pc_validate,
    .prepare = pc_prepare,
    .work = pc_work,
    .finish = pc_finish,
    .estimate = pc_estimate,
};
