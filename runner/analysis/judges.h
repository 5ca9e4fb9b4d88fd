/* judges.h - the verdict of each claim, from a run folder, with the
 * thresholds that decide them (written once, in judges.c). */
#ifndef ALLOCLAB_JUDGES_H
#define ALLOCLAB_JUDGES_H

#include "claims.h"
#include "runfolder.h"

struct thresholds {
    double c1_speedup;        /* copy-on-write over the best eager copy */
    double c2_claimed;        /* 1.8 s / 0.4 s */
    double c3_holds, c3_when; /* share of CPU time lost to contention */
    double c4_almost_every;   /* "almost every page" begins here */
    double c5_share;          /* of (N + 1) x S reached */
    double c6_ms_per_gib;     /* fork cost that is not "free" */
    double c7_margin;         /* within this factor of the best other */
    double c8_ratio;          /* pages copied with THP always over never */
};

extern const struct thresholds claim_thresholds;

/* Judge every claim; out[i] arrives with its template, gets verdict and detail. */
void judges_run(const struct run_folder *run, struct claim out[NCLAIMS]);

#endif
