/* crossover.c - the write fraction where copy-on-write stops paying (C4, report). */
#include "crossover.h"

#include <math.h>
#include <stdio.h>

#include "allocator.h"
#include "groups.h"

double crossover_fraction(const struct run_folder *run, const char *cow)
{
    double fr[64];
    int nfr = run_values(run, GROUP_SWEEP, "write_fraction", fr, 64);
    const char *eager[RUN_MAX_STRATEGIES];
    int neager = run_strategies(run, KIND_EAGER, eager, RUN_MAX_STRATEGIES);
    for (int j = 0; j < nfr; j++) {
        char where[64];
        snprintf(where, sizeof where, "write_fraction=%g", fr[j]);
        double mine = run_median(run, run_find(run, GROUP_SWEEP, cow, NULL, where), "wall_ns");
        double best = NA;
        for (int k = 0; k < neager; k++) {
            double e = run_median(run, run_find(run, GROUP_SWEEP, eager[k], NULL, where), "wall_ns");
            if (!isnan(e) && (isnan(best) || e < best))
                best = e;
        }
        if (!isnan(mine) && !isnan(best) && mine >= best)
            return fr[j];
    }
    return NA;
}
