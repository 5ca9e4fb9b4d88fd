/*
 * overcommit - workers that look cheap at the start and then all write.
 *
 * N workers each take a view of S bytes (almost free with copy-on-write: the
 * pages are shared), then write every page of it in `steps` equal steps.
 * After each step the runner samples the PSS of every process, MemAvailable
 * and Committed_AS into timeline.csv: physical memory climbs from about S to
 * (N + 1) x S. The runner refuses to start when (N + 1) x S exceeds 80% of
 * MemAvailable, unless --force.
 *
 * Knobs: --size (256M), --workers (2), --steps (8), --seed.
 */
#include <inttypes.h>
#include <stdio.h>

#include "workload.h"

#define PAGE 4096

static int oc_fill(const struct workload_params *p, void *base, size_t size, char err[WORKLOAD_ERR_LEN])
{
    (void)p;
    (void)err;
    for (uint64_t page = 0; page < size / PAGE; page++)
        ((uint64_t *)base)[page * (PAGE / 8)] = page; /* every page populated */
    return 0;
}

static int oc_work(struct worker_ctx *ctx)
{
    uint64_t *w = ctx->view->addr;
    uint64_t pages = ctx->view->size / PAGE, me = (uint64_t)ctx->index + 1;
    int steps = ctx->params->steps > 0 ? ctx->params->steps : 1;
    ctx->step_done(ctx, 0); /* views taken, nothing written yet */
    for (int s = 1; s <= steps; s++) {
        uint64_t from = (uint64_t)(s - 1) * pages / (uint64_t)steps, to = (uint64_t)s * pages / (uint64_t)steps;
        for (uint64_t page = from; page < to; page++)
            w[page * (PAGE / 8) + 1] = (me << 48) | page; /* one word: the whole page is copied */
        ctx->step_done(ctx, s);
    }
    for (uint64_t page = 0; page < pages; page++)
        if (w[page * (PAGE / 8)] != page || w[page * (PAGE / 8) + 1] != ((me << 48) | page)) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: page %" PRIu64 " is wrong", ctx->index, page);
            return -1;
        }
    ctx->pages_written = pages;
    return 0;
}

const struct workload workload_overcommit = {
    .name = "overcommit",
    .summary = "cheap views that all get written, in steps: the memory timeline from S to (N+1)S",
    .knobs = "--size 256M, --workers 2, --steps 8 (sampled after each); refused past 80% of MemAvailable "
             "unless --force",
    .kind = WORKLOAD_VIEWS,
    .sampled_steps = true,
    .defaults = {.size = 256u << 20, .workers = 2, .write_fraction = 1.0, .pattern = PATTERN_SEQ, .steps = 8,
                 .seed = 1},
    .fill = oc_fill,
    .work = oc_work,
};
