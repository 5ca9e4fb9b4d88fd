/* plan.h - the bench profiles, and the cells of a profile on this machine,
 * planned from every workload's own bench plan. */
#ifndef ALLOCLAB_PLAN_H
#define ALLOCLAB_PLAN_H

#include <stddef.h>

#include "analysis/strategy_names.h"
#include "cell.h"

/* the strategy every ratio is taken against */
#define PLAN_BASELINE STRATEGY_SYSTEM_MALLOC

struct profile {
    enum profile_id id;
    const char *name;
    int reps;              /* at most this many measured repetitions of a cell, after a warm-up */
    int reps_min;          /* at least this many: a cell stops in between once its wall time has settled */
    double timeout_s;      /* of one repetition */
    const char *size;      /* size=profile: the data set a copy workload's workers each copy */
    const char *workers;   /* workers=profile */
    size_t calibrate_size; /* bytes the calibration copies and faults */
    /* for the time estimate (estimate.c), as the reference machine took them: the calibrations at the start
     * and the end, the figures and the report; and C2 (a bench of every workload only) */
    double fixed_s, c2_s;
};

const struct profile *profile_find(const char *name);
/* "test, quick, default or full", for messages */
const char *profile_names(void);

/* The worker counts of a sweep from lo to hi ("workers=1..all"), sized to
 * the machine: lo, the powers of two, the counts where the topology changes
 * (a worker per NUMA node, per package, on every core of one node, on every
 * core) and hi, capped at the usable units; ascending, into out[0..max),
 * how many. */
int plan_worker_sweep(const struct topo *tp, int lo, int hi, int *out, int max);

/* What a plan changed to fit this machine, a line each (meta.txt). */
#define PLAN_MAX_NOTES 64
struct plan_notes {
    char line[PLAN_MAX_NOTES][320];
    int n;
};

/* The cells of profile p (only: one workload's, or NULL for all) into
 * cells[0..max); how many, or -1 with err (a plan that does not parse, or
 * asks for a cell no machine can run). A cell this machine cannot hold is
 * fitted to it, said in notes (NULL: not said): a size past the memory
 * guard scaled down, or in a sweep left out; a cell whose workers the units
 * capped into one its workload refuses (a producer_consumer pair on one
 * unit) left out. */
int plan_build(const struct profile *p, const char *only, struct topo *tp, struct cell_spec *cells, int max,
               struct plan_notes *notes, char *err, size_t len);

#endif
