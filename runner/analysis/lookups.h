/* lookups.h - read_heavy over lookups per copy, against its control (claim
 * C1, the report): what each strategy's private copy cost over the same
 * lookups on the shared original, and where copy-on-write's speed-up over
 * the best eager copy is an order of magnitude. */
#ifndef ALLOCLAB_LOOKUPS_H
#define ALLOCLAB_LOOKUPS_H

#include <stdio.h>

#include "runfolder.h"

#define LOOKUPS_MAX_POINTS 16

struct lookups_point {
    double reads;            /* lookups per worker, from one copy */
    long control;            /* rows of the summary, -1 if missing */
    long eager, cow;         /* the best eager and the best copy-on-write strategy (median wall time) */
    struct interval speedup; /* eager wall time over copy-on-write's */
};

/* The sweep's counts, ascending; how many (0: not measured). */
int lookups_points(const struct run_folder *run, struct lookups_point out[LOOKUPS_MAX_POINTS]);

/* A strategy's time over the control's, in ms (medians), and its parts:
 * provisioning (a fork included), the deferred costs (work beyond the
 * control's: first accesses to inherited or aliased pages, copies on
 * write), and the lookups themselves (the control's work). */
struct lookups_split {
    double over, provision, deferred, lookups;
};
struct lookups_split lookups_split(const struct run_folder *run, long row, long control);

/* The report's table of the sweep. */
void lookups_notes(FILE *f, const struct run_folder *run);
#endif
