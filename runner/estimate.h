/* estimate.h - how long a bench takes, said before it runs: each planned
 * cell's runs (its warm-up and the repetitions its profile expects), the
 * result files rewritten after each, and the fixed parts (the calibrations
 * at the start and the end, C2, the figures and the report), at the costs
 * the reference run measured (README: the time estimate). */
#ifndef ALLOCLAB_ESTIMATE_H
#define ALLOCLAB_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cell.h"
#include "plan.h"

struct estimate {
    int cells;
    double runs;    /* warm-ups and repetitions */
    double cells_s; /* the runs */
    double files_s; /* raw.csv, summary.csv and timeline.csv rewritten after each run */
    double fixed_s; /* calibrations, C2, figures, report */
    double more_s;  /* repetitions added where a verdict's interval straddles: their budget (straddle.h) */
    double total_s;
};

/* This machine's page faults against those the costs were fitted at: its
 * first-touch fault (ALLOCLAB_FAULT_NS, or the median of three 8 MiB
 * probes, about 0.1 s) over ESTIMATE_FAULT_NS. */
#define ESTIMATE_FAULT_NS 12200.0
double estimate_fault_scale(void);
/* One run of a cell (a warm-up or a repetition), in seconds: a data set's
 * fill and a copy workload's phase are page faults, scaled by fault_scale. */
double estimate_run_s(const struct cell_spec *s, double fault_scale);
/* The runs a cell is expected to take: 1 where it cannot run (not
 * applicable, unavailable), else its warm-up and the mean of the profile's
 * fewest and most repetitions. */
double estimate_runs(const struct profile *p, const struct cell_spec *s);
/* The whole bench (whole: every workload, so C2 too). */
void estimate_bench(const struct profile *p, const struct cell_spec *cells, int n, bool whole, double fault_scale,
                    struct estimate *e);
/* "6 min 40 s", "1 h 05 min", "12 s" */
void estimate_text(double seconds, char *buf, size_t len);

#endif
