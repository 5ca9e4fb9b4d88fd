/*
 * trace - replay an alloc/free trace (CS:APP malloc-lab format) through a
 * heap strategy, every result checked as `alloclab check` does: alignment,
 * mapped memory, no overlap with a live block, payloads intact at free and
 * realloc, realloc keeping the prefix. Each worker (thread) replays the whole
 * trace on the one shared heap, so several workers also show contention.
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <stdio.h>
#include <stdlib.h>

#include "replay/replay.h"
#include "workload.h"

/* A trace file is judged when it is named, not when its cell runs. */
static int trace_readable(union param_value v, char *err, size_t len)
{
    struct trace t;
    if (trace_load(v.text, &t, err, len) != 0)
        return -1;
    trace_free(&t);
    return 0;
}

enum { K_TRACE, K_WORKERS, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_TRACE] = {.name = "trace", .type = PARAM_TEXT, .def = "workloads/traces/random_mix.rep",
                 .check = trace_readable, .choices = "a trace file", .help = "the malloc-lab trace file every worker replays"},
    [K_WORKERS] = KNOB_WORKERS("1"),
    [K_SEED] = KNOB_SEED,
};

static int trace_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n,
                         char err[WORKLOAD_ERR_LEN])
{
    struct trace *t = calloc(1, sizeof *t);
    if (!t || trace_load(knob[K_TRACE].text, t, err, WORKLOAD_ERR_LEN) != 0) {
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

/* The estimate: random_mix's replay, 73 ms (another trace: about as long) */
static double trace_estimate(const union param_value *knob, int workers)
{
    (void)knob;
    return estimate_contended(0.073, 1.35, workers);
}

static const struct bench_plan plan[] = {
    {.group = "trace", .strategies = PLAN_EVERY, .every = "workers=1",
     .profile = PER_PROFILE("", "", "", "")},
    {0},
};

const struct workload workload_trace = {
    .name = "trace",
    .summary = "replay of a malloc-lab trace file, every result checked (heap strategies)",
    .kind = WORKLOAD_HEAP,
    .knobs = knobs,
    .plan = plan,
    .prepare = trace_prepare,
    .work = trace_work,
    .finish = trace_finish,
    .estimate = trace_estimate,
};
