/* claims.h - the claims that motivated the suite, judged on a run folder. */
#ifndef ALLOCLAB_CLAIMS_H
#define ALLOCLAB_CLAIMS_H

#include <stdio.h>

#include "runfolder.h"

/* VERDICT_FINDING: a claim the experiment cannot fail as designed, reported
 * with what was measured and no verdict */
enum verdict { VERDICT_HOLDS, VERDICT_NOT, VERDICT_ONLY_WHEN, VERDICT_INCONCLUSIVE, VERDICT_NA, VERDICT_FINDING };

#define CLAIM_MAX_UNDECIDED 32

struct claim {
    const char *id, *quote, *experiment, *figure, *threshold, *caveats;
    enum verdict verdict;
    char detail[2048];
    /* summary rows of the cells whose interval straddled a threshold this
     * claim reads: more repetitions of them may decide it (bench) */
    long undecided[CLAIM_MAX_UNDECIDED];
    int nundecided;
    const char *either_way; /* the result that would have held it, and the one that would have failed it */
};

#define NCLAIMS 9
/* Judge every claim from a run folder's files (missing data: NA). */
void claims_evaluate(const struct run_folder *run, struct claim out[NCLAIMS]);
/* Write claims.md in the run folder, and echo the verdict table to `echo` if not NULL; 0 or -1. */
int claims_write(const struct run_folder *run, FILE *echo);
int claims_main(int argc, char **argv);
const char *verdict_name(enum verdict v);

#endif
