/*
 * trace - replay an alloc/free trace (CS:APP malloc-lab format) through a
 * heap strategy, every result checked as `alloclab check` does: alignment,
 * mapped memory, no overlap with a live block, payloads intact at free and
 * realloc, realloc keeping the prefix. Each worker (thread) replays the whole
 * trace on the one shared heap, so several workers also show contention.
 *
 * Knobs: --trace FILE (workloads/traces/random_mix.rep), --workers (1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "replay.h"
#include "workload.h"

static int trace_prepare(const struct workload_params *p, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    struct trace *t = calloc(1, sizeof *t);
    if (!t || trace_load(p->trace, t, err, WORKLOAD_ERR_LEN) != 0) {
        free(t);
        return -1;
    }
    for (int i = 0; i < n; i++)
        ctxs[i].exchange = t;
    return 0;
}

static int trace_work(struct worker_ctx *ctx)
{
    const struct trace *t = ctx->exchange;
    struct replay_result r;
    replay_on(ctx->strategy, ctx->self, t, &r);
    ctx->ops = t->num_ops;
    if (!r.correct) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "%s", r.violation);
        return -1;
    }
    return 0;
}

static void trace_finish(struct worker_ctx *ctxs, int n)
{
    if (n > 0 && ctxs[0].exchange) {
        trace_free(ctxs[0].exchange);
        free(ctxs[0].exchange);
    }
    for (int i = 0; i < n; i++)
        ctxs[i].exchange = NULL;
}

const struct workload workload_trace = {
    .name = "trace",
    .summary = "replay of a malloc-lab trace file, every result checked (heap strategies)",
    .knobs = "--trace FILE (workloads/traces/random_mix.rep), --workers 1 (each replays the whole trace)",
    .kind = WORKLOAD_HEAP,
    .defaults = {.workers = 1, .steps = 1, .seed = 1, .trace = "workloads/traces/random_mix.rep"},
    .prepare = trace_prepare,
    .work = trace_work,
    .finish = trace_finish,
};
