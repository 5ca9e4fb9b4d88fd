/*
 * read_heavy - a parsed index served by workers that almost never write.
 *
 * The data set is an array of 64-byte records, like a loaded configuration or
 * an in-memory index: a key, six values derived from it, a version and a
 * checksum. Each worker serves `reads` random lookups from its view and, spread
 * among them, updates one record in round(write_fraction x pages) distinct
 * pages. Every record read is checked (key, checksum, version), so a strategy
 * that serves wrong data, or lets another worker's update leak in, fails its
 * cell; at the end each worker re-reads its own updates.
 *
 * The control (--view none) does the same lookups on the original data set,
 * shared by every worker, with no view at all: its updates go to a small
 * private array instead, so the data stays as filled. A strategy's time over
 * the control's is what its private copy cost, whether paid up front (an
 * eager copy, a fork) or later (first accesses, copies on write).
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "groups.h"
#include "workload.h"

struct record {
    uint64_t key;
    uint64_t value[5];
    uint64_t version; /* 0: original; w + 1: updated by worker w */
    uint64_t check;
};

_Static_assert(sizeof(struct record) == 64, "records are one cache line");

#define RECORDS_PER_PAGE (PAGE_BYTES / sizeof(struct record))

enum { K_SIZE, K_WORKERS, K_READS, K_FRACTION, K_PATTERN, K_VIEW, K_SEED, K_COUNT };
enum { VIEW_PRIVATE, VIEW_NONE };
static const struct param knobs[K_COUNT + 1] = {
    [K_SIZE] = KNOB_SIZE("64M"),
    [K_WORKERS] = KNOB_WORKERS("2"),
    [K_READS] = {.name = "reads", .type = PARAM_COUNT, .def = "1000000", .min = 0, .max = 1e12,
                 .help = "random lookups each worker serves from its view"},
    [K_FRACTION] = KNOB_WRITE_FRACTION("0.001"),
    [K_PATTERN] = KNOB_PATTERN,
    [K_VIEW] = {.name = "view", .type = PARAM_CHOICE, .def = "private", .choices = "private|none",
                .help = "private: each worker reads its own view; none: the control, the same lookups on the shared "
                        "original (threads only)"},
    [K_SEED] = KNOB_SEED,
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static void make_record(struct record *r, uint64_t key, uint64_t version)
{
    r->key = key;
    r->version = version;
    uint64_t check = mix(key ^ (version << 48));
    for (int j = 0; j < 5; j++) {
        r->value[j] = mix(key * 5 + (uint64_t)j + (version << 40));
        check ^= r->value[j] + (uint64_t)j;
    }
    r->check = check;
}

static int record_valid(const struct record *r, uint64_t key)
{
    if (r->key != key)
        return 0;
    uint64_t check = mix(key ^ (r->version << 48));
    for (int j = 0; j < 5; j++) {
        if (r->value[j] != mix(key * 5 + (uint64_t)j + (r->version << 40)))
            return 0;
        check ^= r->value[j] + (uint64_t)j;
    }
    return check == r->check;
}

static int rh_fill(const union param_value *knob, void *base, size_t size, char err[WORKLOAD_ERR_LEN])
{
    (void)knob;
    (void)err;
    struct record *r = base;
    for (uint64_t i = 0; i < size / sizeof *r; i++)
        make_record(&r[i], i, 0);
    return 0;
}

static bool rh_shares_data(const union param_value *knob) { return knob[K_VIEW].choice == VIEW_NONE; }

/* the control's updates: a private array, one record per update, touched
 * before the measured phase as a view's written pages are not */
static int rh_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    if (!rh_shares_data(knob))
        return 0;
    uint64_t nwrite = pages_to_write(knob[K_FRACTION].f, knob[K_SIZE].n / PAGE_BYTES);
    for (int i = 0; i < n; i++)
        if (!(ctxs[i].exchange = calloc(nwrite ? nwrite : 1, sizeof(struct record)))) {
            snprintf(err, WORKLOAD_ERR_LEN, "out of memory for %" PRIu64 " records", nwrite);
            return -1;
        }
    return 0;
}

static void rh_finish(struct worker_ctx *ctxs, int n)
{
    for (int i = 0; i < n; i++) {
        free(ctxs[i].exchange);
        ctxs[i].exchange = NULL;
    }
}

/* where update i of this worker goes: its view, or the control's own array */
static struct record *updated(struct worker_ctx *ctx, struct record *r, const struct page_order *order, uint64_t i,
                              uint64_t *key)
{
    *key = page_order_at(order, i) * RECORDS_PER_PAGE;
    return ctx->exchange ? (struct record *)ctx->exchange + i : &r[*key];
}

static int rh_work(struct worker_ctx *ctx)
{
    const union param_value *k = ctx->knob;
    struct record *r = ctx->view->addr;
    uint64_t nrec = ctx->view->size / sizeof *r, pages = ctx->view->size / PAGE_BYTES;
    uint64_t me = (uint64_t)ctx->index + 1, seed = k[K_SEED].n, key;
    uint64_t nwrite = pages_to_write(k[K_FRACTION].f, pages);
    struct page_order order = page_order_make(pages, nwrite, (enum pattern)k[K_PATTERN].choice, seed + me);
    uint64_t rng = seed ^ (me << 32), written = 0, sink = 0;
    long reads = k[K_READS].n > 0 ? (long)k[K_READS].n : 1;
    for (long i = 0; i < reads || written < nwrite; i++) {
        /* the next update is due when i reaches written * reads / nwrite */
        while (written < nwrite && (uint64_t)i * nwrite >= written * (uint64_t)reads) {
            struct record *u = updated(ctx, r, &order, written, &key);
            make_record(u, key, me);
            written++;
        }
        if (i >= reads)
            continue;
        key = splitmix64(&rng) % nrec;
        const struct record *rec = &r[key];
        if (!record_valid(rec, key) || (rec->version != 0 && rec->version != me)) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN,
                     "worker %d read a wrong record %" PRIu64 " (key %" PRIu64 ", version %" PRIu64 ")", ctx->index,
                     key, rec->key, rec->version);
            return -1;
        }
        sink += rec->value[key % 5];
    }
    for (uint64_t i = 0; i < nwrite; i++) { /* our updates are still there */
        const struct record *u = updated(ctx, r, &order, i, &key);
        if (u->version != me || !record_valid(u, key)) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d lost its update of record %" PRIu64, ctx->index, key);
            return -1;
        }
    }
    ctx->pages_written = ctx->exchange ? 0 : nwrite; /* the control writes no page of the data set */
    __asm__ volatile("" ::"r"(sink)); /* the lookups must happen */
    return 0;
}

/* Lookups per copy: a server that forks a worker per request serves few
 * lookups from each snapshot, a long-lived worker millions. Every strategy,
 * and the control, at each count. */
/* The estimate: 8.6 us a page of the view (taking it; none without one)
 * and 220 ns a lookup (135 on the shared original); c 0.11 */
static double rh_estimate(const union param_value *knob, int workers)
{
    bool none = knob[K_VIEW].choice == VIEW_NONE;
    double one = (none ? 0 : estimate_pages(knob[K_SIZE].n) * 8.6e-6) + (double)knob[K_READS].n * (none ? 135e-9 : 220e-9);
    return estimate_contended(one, 0.11, workers);
}

#define LOOKUPS PER_PROFILE("reads=1000,100000", "reads=1000,1000000", "reads=1000,30000,1000000", \
                            "reads=1000,30000,1000000")
static const struct bench_plan plan[] = {
    {.group = GROUP_LOOKUPS, .strategies = PLAN_EVERY, .every = "size=profile workers=profile", .profile = LOOKUPS},
    {.group = GROUP_LOOKUPS, .strategies = PLAN_BASELINE_ONLY, .every = "size=profile workers=profile view=none",
     .profile = LOOKUPS},
    /* scaling (full profile): lookups from one worker up at one view size, threads and processes */
    {.group = GROUP_SCALING, .strategies = PLAN_COPY_ON_WRITE_BASELINE, .drop_too_big = true,
     .profile = PER_PROFILE(NULL, NULL, NULL, "size=16M reads=100000 workers=1..all model=threads,processes")},
    {0},
};

const struct workload workload_read_heavy = {
    .name = "read_heavy",
    .summary = "random lookups in a 64-byte-record index, a few pages updated (web server config/index)",
    .kind = WORKLOAD_VIEWS,
    .knobs = knobs,
    .plan = plan,
    .fill = rh_fill,
    .work = rh_work,
    .shares_data = rh_shares_data,
    .prepare = rh_prepare,
    .finish = rh_finish,
    .estimate = rh_estimate,
};
