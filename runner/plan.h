/* plan.h - the bench profiles, and the cells of a profile on this machine,
 * planned from every workload's own bench plan. */
#ifndef ALLOCLAB_PLAN_H
#define ALLOCLAB_PLAN_H

#include <stddef.h>

#include "cell.h"

/* the strategy every ratio is taken against */
#define PLAN_BASELINE "system_malloc"

struct profile {
    enum profile_id id;
    const char *name;
    int reps;              /* at most this many measured repetitions of a cell, after a warm-up */
    int reps_min;          /* at least this many: a cell stops in between once its wall time has settled */
    double timeout_s;      /* of one repetition */
    const char *size;      /* size=profile: the data set a copy workload's workers each copy */
    const char *workers;   /* workers=profile */
    size_t calibrate_size; /* bytes the calibration copies and faults */
};

const struct profile *profile_find(const char *name);
/* "test, quick, default or full", for messages */
const char *profile_names(void);

/* The cells of profile p (only: one workload's, or NULL for all) into
 * cells[0..max); how many, or -1 with err (a plan that does not parse, or a
 * cell past the memory guard that its plan does not let drop). */
int plan_build(const struct profile *p, const char *only, struct topo *tp, struct cell_spec *cells, int max,
               char *err, size_t len);

#endif
