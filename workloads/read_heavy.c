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
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <inttypes.h>
#include <stdio.h>

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

enum { K_SIZE, K_WORKERS, K_READS, K_FRACTION, K_PATTERN, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_SIZE] = KNOB_SIZE("64M"),
    [K_WORKERS] = KNOB_WORKERS("2"),
    [K_READS] = {.name = "reads", .type = PARAM_COUNT, .def = "1000000", .min = 0, .max = 1e12,
                 .help = "random lookups each worker serves from its view"},
    [K_FRACTION] = KNOB_WRITE_FRACTION("0.001"),
    [K_PATTERN] = KNOB_PATTERN,
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

static int rh_work(struct worker_ctx *ctx)
{
    const union param_value *k = ctx->knob;
    struct record *r = ctx->view->addr;
    uint64_t nrec = ctx->view->size / sizeof *r, pages = ctx->view->size / PAGE_BYTES;
    uint64_t me = (uint64_t)ctx->index + 1, seed = k[K_SEED].n;
    uint64_t nwrite = pages_to_write(k[K_FRACTION].f, pages);
    struct page_order order = page_order_make(pages, nwrite, (enum pattern)k[K_PATTERN].choice, seed + me);
    uint64_t rng = seed ^ (me << 32), written = 0, sink = 0;
    long reads = k[K_READS].n > 0 ? (long)k[K_READS].n : 1;
    for (long i = 0; i < reads || written < nwrite; i++) {
        /* the next update is due when i reaches written * reads / nwrite */
        while (written < nwrite && (uint64_t)i * nwrite >= written * (uint64_t)reads) {
            uint64_t key = page_order_at(&order, written) * RECORDS_PER_PAGE;
            make_record(&r[key], key, me);
            written++;
        }
        if (i >= reads)
            continue;
        uint64_t key = splitmix64(&rng) % nrec;
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
        uint64_t key = page_order_at(&order, i) * RECORDS_PER_PAGE;
        if (r[key].version != me || !record_valid(&r[key], key)) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d lost its update of record %" PRIu64, ctx->index, key);
            return -1;
        }
    }
    ctx->pages_written = nwrite;
    __asm__ volatile("" ::"r"(sink)); /* the lookups must happen */
    return 0;
}

static const struct bench_plan plan[] = {
    {.group = GROUP_MAIN, .strategies = PLAN_EVERY, .every = "size=profile workers=profile",
     .profile = PER_PROFILE("reads=20000", "reads=200000", "reads=1000000", "reads=4000000")},
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
};
