/* figures.h - the figures every cell measures (the workload's own results
 * come on top, named in its file). One table: the CSV columns, their units
 * and the docs come from it. */
#ifndef ALLOCLAB_FIGURES_H
#define ALLOCLAB_FIGURES_H

enum figure {
    FIG_WALL_NS, FIG_SPAWN_NS, FIG_PROVISION_NS, FIG_WORK_NS, FIG_PAGES_WRITTEN, FIG_PAGES_COPIED, FIG_COPY_FALLBACKS,
    /* perf events, in the order of enum perf_ev */
    FIG_MINOR_FAULTS, FIG_MAJOR_FAULTS, FIG_CONTEXT_SWITCHES, FIG_CPU_MIGRATIONS, FIG_TASK_CLOCK_NS, FIG_CYCLES,
    FIG_INSTRUCTIONS, FIG_CACHE_MISSES, FIG_DTLB_LOAD_MISSES,
    FIG_PSS_KIB, FIG_PRIVATE_DIRTY_KIB, FIG_SHARED_KIB, FIG_RSS_KIB, FIG_RSS_PEAK_KIB, FIG_ANON_HUGE_KIB,
    FIG_COMMITTED_DELTA_KIB, FIG_MEM_AVAILABLE_DELTA_KIB,
    /* heap workloads */
    FIG_OPS, FIG_OPS_PER_SEC, /* FIG_OPS is the column ops_done: ops is churn's and larson's knob */
    FIG_ALLOC_P50_NS, FIG_ALLOC_P99_NS, FIG_ALLOC_P999_NS, FIG_ALLOC_MAX_NS, /* in the order of the percentiles */
    FIG_FREE_P50_NS, FIG_FREE_P99_NS, FIG_FREE_P999_NS, FIG_FREE_MAX_NS,
    FIG_LAT_RESOLUTION_NS, FIG_LIVE_PEAK_KIB, FIG_RESERVED_PEAK_KIB, FIG_FRAGMENTATION, FIG_LOCK_CONTENDED_SHARE,
    /* every cell */
    FIG_OFF_CPU_SHARE,
    FIG_COUNT
};

/* Which tables of report.md show a figure as a column: those of a copy
 * workload, of a heap workload whose operations were counted, of one whose
 * were not (programs run elsewhere: wall time only); and whether only where
 * latencies were sampled, or memory was backed by huge pages. */
enum figure_shown {
    SHOWN_VIEWS = 1 << 0,
    SHOWN_HEAP = 1 << 1,
    SHOWN_WALL = 1 << 2,
    SHOWN_IF_LATENCY = 1 << 3,
    SHOWN_IF_HUGE = 1 << 4,
};
/* how a figure's column is written: followed by its ratio to the baseline
 * strategy's in the same cell, and by its min-max; a share as a percentage;
 * (a latency) under one step of the timer as "<STEP" */
enum figure_extra { EXTRA_BASELINE = 1 << 0, EXTRA_RANGE = 1 << 1, EXTRA_PERCENT = 1 << 2, EXTRA_STEP = 1 << 3 };

/* A figure as report.md's tables show it, in the order of the table. */
struct figure_column {
    const char *heading; /* NULL: in no table */
    const char *unit;    /* the unit shown, or NULL */
    double per;          /* the median over this is shown (ns in ms: 1e6) */
    const char *format;  /* of the value shown */
    unsigned shown;      /* enum figure_shown */
    unsigned extra;      /* enum figure_extra */
};

struct figure_def {
    const char *name, *unit, *help;
    struct figure_column report;
};

extern const struct figure_def figure_defs[FIG_COUNT];

#endif
