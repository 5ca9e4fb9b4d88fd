/*
 * estimate.c - a bench's time before it runs. Small on purpose: a run of a
 * cell costs its process's start, its data set (filled, then freed), its
 * workers' start and its measured phase, which each workload models from
 * its knobs and workers (workload->estimate, on the reference run's wall
 * times); the bench rewrites its result files every 2 s, which grows with
 * the rows written; the calibrations, C2 and the figures are fixed.
 * Every constant is a cost measured on the 2-core VM of results/reference.
 */
#include "estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "calibrate.h"
#include "straddle.h"

#define START_S 0.015          /* a run's cell process: fork, perf counters, set-up, exit */
#define DATA_S_PER_MIB 3.6e-3  /* a data set's fill and unmapping, a MiB (first-touch faults, 12 us a page) */
#define WORKER_S 1e-4          /* a worker's start: a thread, or a forked process's first steps */
#define PHASE_S 0.1            /* a workload that models nothing */
#define FILE_S 0.013           /* the result files rewritten after a run: three fsyncs */
#define FILE_ROW_S 24e-6       /* ... and a row of them */
#define WRITE_EVERY_S 2.0      /* bench.c's WRITE_EVERY_NS */

double estimate_fault_scale(void)
{
    const char *given = getenv("ALLOCLAB_FAULT_NS");
    double ns = given ? strtod(given, NULL) : NA;
    if (!(ns > 0)) {
        double v[3];
        for (int i = 0; i < 3; i++)
            v[i] = calibrate_first_touch_ns(8u << 20);
        ns = fmax(fmin(v[0], v[1]), fmin(fmax(v[0], v[1]), v[2])); /* the median */
    }
    return ns > 0 ? ns / ESTIMATE_FAULT_NS : 1;
}

double estimate_run_s(const struct cell_spec *s, double fault_scale)
{
    const struct workload *w = s->workload;
    int workers = (int)cell_knob(s, "workers");
    bool views = w->kind == WORKLOAD_VIEWS;
    double data = views ? (double)cell_knob(s, "size") / (1 << 20) * DATA_S_PER_MIB * fault_scale : 0;
    double phase = (w->estimate ? w->estimate(s->knob, workers) : PHASE_S) * (views ? fault_scale : 1);
    double run = START_S + data + workers * WORKER_S + phase;
    return run < s->timeout_s ? run : s->timeout_s; /* a run past its limit is stopped */
}

static bool runs_here(const struct cell_spec *s)
{
    return !allocator_unavailable(s->strategy) && (s->workload->kind != WORKLOAD_HEAP || allocator_has_heap(s->strategy));
}

double estimate_runs(const struct profile *p, const struct cell_spec *s)
{
    return runs_here(s) ? 1 + (p->reps_min + p->reps) / 2.0 : 1;
}

void estimate_bench(const struct profile *p, const struct cell_spec *cells, int n, bool whole, double fault_scale,
                    struct estimate *e)
{
    *e = (struct estimate){.cells = n};
    for (int i = 0; i < n; i++) {
        double runs = estimate_runs(p, &cells[i]);
        e->runs += runs;
        e->cells_s += runs_here(&cells[i]) ? runs * estimate_run_s(&cells[i], fault_scale) : START_S;
    }
    /* a row after nearly every run; the files are rewritten every WRITE_EVERY_S at most (bench.c), and at the
     * end, each time with the rows so far: on average half of them */
    double writes = e->cells_s / WRITE_EVERY_S + 1;
    writes = writes < e->runs ? writes : e->runs;
    e->files_s = writes * (FILE_S + FILE_ROW_S * e->runs / 2);
    e->fixed_s = p->fixed_s + (whole ? p->c2_s : 0);
    /* the straddling cells' repetitions stop at the budget's time, or sooner when there are few cells to
     * repeat; C2's extra rounds are on top */
    struct straddle_budget b = straddle_budget(p->name);
    e->more_s = fmin(b.seconds, e->cells_s) + (whole ? p->c2_s * b.reps : 0);
    e->total_s = e->cells_s + e->files_s + e->fixed_s + e->more_s;
}

void estimate_text(double seconds, char *buf, size_t len)
{
    long s = (long)(seconds + 0.5), m = (s + 30) / 60;
    if (s < 60)
        snprintf(buf, len, "%ld s", s);
    else if (s < 3600)
        snprintf(buf, len, "%ld min %02ld s", s / 60, s % 60);
    else
        snprintf(buf, len, "%ld h %02ld min", m / 60, m % 60);
}
