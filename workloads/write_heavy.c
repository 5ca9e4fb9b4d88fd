/*
 * write_heavy - every worker rewrites most of its copy.
 *
 * The data set holds a word pattern derived from each page and word index.
 * Each worker writes every word of round(write_fraction x pages) distinct
 * pages, in sequential or random order, then reads its whole view back: every
 * page must be wholly the original or wholly its own, never another worker's
 * and never damaged, and exactly the pages it wrote must be its own.
 *
 * Knobs: the table below (alloclab list --verbose prints it). Its bench
 * cells: every strategy at fraction 1 ("main"), the sweep of write fractions
 * that finds where copy-on-write stops paying ("sweep"), and 1% random
 * writes with transparent huge pages off and on ("thp").
 */
#include <inttypes.h>
#include <stdio.h>

#include "groups.h"
#include "workload.h"

#define WORDS (PAGE_BYTES / 8)

enum { K_SIZE, K_WORKERS, K_FRACTION, K_PATTERN, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_SIZE] = KNOB_SIZE("64M"),
    [K_WORKERS] = KNOB_WORKERS("2"),
    [K_FRACTION] = KNOB_WRITE_FRACTION("1"),
    [K_PATTERN] = KNOB_PATTERN,
    [K_SEED] = KNOB_SEED,
};

static inline uint64_t original_word(uint64_t page, uint64_t w) { return (page << 20) ^ (w * 0x9e3779b97f4a7c15ull); }
static inline uint64_t worker_word(uint64_t me, uint64_t page, uint64_t w)
{
    return (me << 56) ^ (page << 20) ^ (w * 0xc2b2ae3d27d4eb4full);
}

static int wh_fill(const union param_value *knob, void *base, size_t size, char err[WORKLOAD_ERR_LEN])
{
    (void)knob;
    (void)err;
    uint64_t *w = base;
    for (uint64_t page = 0; page < size / PAGE_BYTES; page++)
        for (uint64_t i = 0; i < WORDS; i++)
            w[page * WORDS + i] = original_word(page, i);
    return 0;
}

static int wh_work(struct worker_ctx *ctx)
{
    const union param_value *k = ctx->knob;
    uint64_t *w = ctx->view->addr;
    uint64_t pages = ctx->view->size / PAGE_BYTES, me = (uint64_t)ctx->index + 1;
    uint64_t nwrite = pages_to_write(k[K_FRACTION].f, pages);
    struct page_order order = page_order_make(pages, nwrite, (enum pattern)k[K_PATTERN].choice, k[K_SEED].n + me);
    for (uint64_t i = 0; i < nwrite; i++) {
        uint64_t page = page_order_at(&order, i);
        for (uint64_t k = 0; k < WORDS; k++)
            w[page * WORDS + k] = worker_word(me, page, k);
    }
    /* read everything back: each page is wholly the original or wholly ours
     * (our pattern names the page, so only a page we wrote can hold it), and
     * exactly nwrite pages are ours */
    uint64_t mine = 0;
    for (uint64_t page = 0; page < pages; page++) {
        int ours = w[page * WORDS] == worker_word(me, page, 0);
        mine += (uint64_t)ours;
        for (uint64_t k = 0; k < WORDS; k++) {
            uint64_t want = ours ? worker_word(me, page, k) : original_word(page, k);
            if (w[page * WORDS + k] != want) {
                snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: page %" PRIu64 " word %" PRIu64 " holds %s data",
                         ctx->index, page, k, ours ? "a mix of its own and other" : "wrong");
                return -1;
            }
        }
    }
    if (mine != nwrite) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d wrote %" PRIu64 " pages but %" PRIu64 " read back as its own",
                 ctx->index, nwrite, mine);
        return -1;
    }
    ctx->pages_written = nwrite;
    return 0;
}

/* The estimate: 12 us a page of the view (taking it), 9.8 us more a page
 * written; c 0.11 (the reference's scaling group) */
static double wh_estimate(const union param_value *knob, int workers)
{
    double pages = estimate_pages(knob[K_SIZE].n);
    return estimate_contended(pages * (12e-6 + knob[K_FRACTION].f * 9.8e-6), 0.11, workers);
}

static const struct bench_plan plan[] = {
    {.group = GROUP_MAIN, .strategies = PLAN_EVERY, .every = "size=profile workers=profile",
     .profile = PER_PROFILE("", "", "", "")},
    {.group = GROUP_SWEEP, .strategies = PLAN_EVERY,
     .every = "size=profile workers=profile write-fraction=0,0.001,0.01,0.1,0.25,0.5,1",
     .profile = PER_PROFILE("", "", "", "")},
    /* copy-on-write: the cost of a write with huge pages off and on */
    {.group = GROUP_THP, .strategies = PLAN_COPY_ON_WRITE,
     .every = "size=profile workers=1 write-fraction=0.01 pattern=random thp=never,always",
     .profile = PER_PROFILE("", "", "", "")},
    /* scaling: the same view size whatever the workers (not a share of memory, which would shrink as they
     * grow), from one worker up; processes too in the full profile; what does not fit is left out */
    {.group = GROUP_SCALING, .strategies = PLAN_COPY_ON_WRITE_BASELINE, .drop_too_big = true,
     .profile = PER_PROFILE("size=4M workers=1,2", "size=16M workers=1,all", "size=16M workers=1,2,4,all",
                            "size=16M workers=1..all model=threads,processes")},
    {0},
};

const struct workload workload_write_heavy = {
    .name = "write_heavy",
    .summary = "every worker rewrites a large fraction of its copy, then verifies it",
    .kind = WORKLOAD_VIEWS,
    .knobs = knobs,
    .plan = plan,
    .fill = wh_fill,
    .work = wh_work,
    .estimate = wh_estimate,
};
