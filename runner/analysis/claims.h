/* claims.h - the claims that motivated the suite, judged on a run folder.
 *
 * A claim is one file in runner/analysis/claims/ (NAME.c, NAME its id:
 * C7), defining `const struct claim claim_NAME` with .name = "NAME"; the
 * build registers every file there (runner/gen-registry.sh), in the order
 * of their names (C2 before C10). claims.md, the bench's extra repetitions
 * and the tests iterate the registry: adding a file adds a claim. */
#ifndef ALLOCLAB_CLAIMS_H
#define ALLOCLAB_CLAIMS_H

#include <stddef.h>
#include <stdio.h>

#include "runfolder.h"

/* VERDICT_FINDING: a claim the experiment cannot fail as designed, reported
 * with what was measured and no verdict */
enum verdict { VERDICT_HOLDS, VERDICT_NOT, VERDICT_ONLY_WHEN, VERDICT_INCONCLUSIVE, VERDICT_NA, VERDICT_FINDING };

#define CLAIM_MAX_UNDECIDED 32
#define CLAIM_MAX_READS 4

/* The end of a threshold's text for a verdict decided by a ratio's interval. */
#define CLAIM_INTERVAL_RULE                                                                                            \
    "; inconclusive when its 95% interval (a percentile bootstrap over both cells' repetitions) crosses the threshold"

struct judgement;

struct claim {
    const char *name;       /* its id, "C7": the name of its file */
    const char *quote;      /* the documents' words */
    const char *experiment; /* what measures it */
    const char *figure;     /* where to see it */
    /* what its judge reads: groups of summary.csv (groups.h), or a file of
     * the run folder other than summary.csv and raw.csv ("c2.csv") */
    const char *reads[CLAIM_MAX_READS];
    /* the number that decides (a finding: the number it is held to, or 0) */
    double threshold;
    /* the threshold in words; and the result that would have held the claim
     * and the one that would have failed it (every verdict could have gone
     * the other way), both from c->threshold */
    void (*threshold_text)(const struct claim *c, char *buf, size_t len);
    void (*either_way)(const struct claim *c, char *buf, size_t len);
    /* the verdict and its text, from the run (missing data: NA) */
    void (*judge)(const struct run_folder *run, struct judgement *j);
    const char *caveats;
};

extern const struct claim *const claim_registry[]; /* NULL-terminated; generated */
const struct claim *claim_find(const char *name);

/* A claim judged on one run. */
struct judgement {
    const struct claim *claim;
    enum verdict verdict;
    char detail[2048];
    char threshold[1024], either_way[512];
    /* summary rows of the cells whose interval straddled a threshold this
     * claim reads: more repetitions of them may decide it (bench) */
    long undecided[CLAIM_MAX_UNDECIDED];
    int nundecided;
};

/* How many claims the registry holds. */
size_t claims_count(void);
/* Judge every claim from a run folder's files, in the registry's order:
 * claims_count() judgements (free them), or NULL when out of memory. */
struct judgement *claims_judge(const struct run_folder *run);
/* Write claims.md in the run folder, and echo the verdict table to `echo` if not NULL; 0 or -1. */
int claims_write(const struct run_folder *run, FILE *echo);
int claims_main(int argc, char **argv);
const char *verdict_name(enum verdict v);

#endif
