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
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <inttypes.h>
#include <stdio.h>

#include "groups.h"
#include "workload.h"

#define WORDS (PAGE_BYTES / 8)

enum { K_SIZE, K_WORKERS, K_STEPS, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_SIZE] = KNOB_SIZE("256M"),
    [K_WORKERS] = KNOB_WORKERS("2"),
    [K_STEPS] = {.name = "steps", .type = PARAM_COUNT, .def = "8", .min = 1, .max = WORKLOAD_MAX_STEPS,
                 .help = "equal steps in which each worker writes its whole view; memory is sampled after each"},
    [K_SEED] = KNOB_SEED,
};

static int oc_fill(const union param_value *knob, void *base, size_t size, char err[WORKLOAD_ERR_LEN])
{
    (void)knob;
    (void)err;
    for (uint64_t page = 0; page < size / PAGE_BYTES; page++)
        ((uint64_t *)base)[page * WORDS] = page; /* every page populated */
    return 0;
}

static int oc_work(struct worker_ctx *ctx)
{
    uint64_t *w = ctx->view->addr;
    uint64_t pages = ctx->view->size / PAGE_BYTES, me = (uint64_t)ctx->index + 1;
    int steps = (int)ctx->knob[K_STEPS].n;
    ctx->step_done(ctx, 0, steps); /* views taken, nothing written yet */
    for (int s = 1; s <= steps; s++) {
        uint64_t from = (uint64_t)(s - 1) * pages / (uint64_t)steps, to = (uint64_t)s * pages / (uint64_t)steps;
        for (uint64_t page = from; page < to; page++)
            w[page * WORDS + 1] = (me << 48) | page; /* one word: the whole page is copied */
        ctx->step_done(ctx, s, steps);
    }
    for (uint64_t page = 0; page < pages; page++)
        if (w[page * WORDS] != page || w[page * WORDS + 1] != ((me << 48) | page)) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: page %" PRIu64 " is wrong", ctx->index, page);
            return -1;
        }
    ctx->pages_written = pages;
    return 0;
}

/* The estimate: 21.5 us a page each worker writes (the kernel's COW fault
 * and its copy); c 0.11, as the copy workloads' scaling */
static double oc_estimate(const union param_value *knob, int workers)
{
    return estimate_contended(estimate_pages(knob[K_SIZE].n) * 21.5e-6, 0.11, workers);
}

static const struct bench_plan plan[] = {
    {.group = GROUP_MAIN, .strategies = PLAN_EVERY,
     .profile = PER_PROFILE("size=8M workers=2 steps=2", "size=16M workers=2 steps=4",
                            "size=32M workers=2 steps=8", "size=25% workers=all steps=16")},
    {0},
};

const struct workload workload_overcommit = {
    .name = "overcommit",
    .summary = "cheap views that all get written, in steps: the memory timeline from S to (N+1)S",
    .kind = WORKLOAD_VIEWS,
    .knobs = knobs,
    .plan = plan,
    .fill = oc_fill,
    .work = oc_work,
    .estimate = oc_estimate,
};
