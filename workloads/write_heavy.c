/*
 * write_heavy - every worker rewrites most of its copy.
 *
 * The data set holds a word pattern derived from each page and word index.
 * Each worker writes every word of round(write_fraction x pages) distinct
 * pages, in sequential or random order, then reads its whole view back: every
 * page must be wholly the original or wholly its own, never another worker's
 * and never damaged, and exactly the pages it wrote must be its own.
 *
 * Knobs: --size (64M), --workers (2), --write-fraction (1.0),
 * --pattern seq|random (seq), --seed.
 */
#include <inttypes.h>
#include <stdio.h>

#include "workload.h"

#define PAGE 4096
#define WORDS (PAGE / 8)

static inline uint64_t original_word(uint64_t page, uint64_t w) { return (page << 20) ^ (w * 0x9e3779b97f4a7c15ull); }
static inline uint64_t worker_word(uint64_t me, uint64_t page, uint64_t w)
{
    return (me << 56) ^ (page << 20) ^ (w * 0xc2b2ae3d27d4eb4full);
}

static int wh_fill(const struct workload_params *p, void *base, size_t size, char err[WORKLOAD_ERR_LEN])
{
    (void)p;
    (void)err;
    uint64_t *w = base;
    for (uint64_t page = 0; page < size / PAGE; page++)
        for (uint64_t i = 0; i < WORDS; i++)
            w[page * WORDS + i] = original_word(page, i);
    return 0;
}

static int wh_work(struct worker_ctx *ctx)
{
    const struct workload_params *p = ctx->params;
    uint64_t *w = ctx->view->addr;
    uint64_t pages = ctx->view->size / PAGE, me = (uint64_t)ctx->index + 1;
    uint64_t nwrite = pages_to_write(p->write_fraction, pages);
    struct page_order order = page_order_make(pages, nwrite, p->pattern, p->seed + me);
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

const struct workload workload_write_heavy = {
    .name = "write_heavy",
    .summary = "every worker rewrites a large fraction of its copy, then verifies it",
    .knobs = "--size 64M, --workers 2, --write-fraction 1.0, --pattern seq|random (seq)",
    .defaults = {.size = 64u << 20, .workers = 2, .write_fraction = 1.0, .pattern = PATTERN_SEQ,
                 .reads = 0, .steps = 1, .seed = 1},
    .kind = WORKLOAD_VIEWS,
    .fill = wh_fill,
    .work = wh_work,
};
