/* bench.h - the run folder's report and claims, read back from its CSV files. */
#ifndef ALLOCLAB_BENCH_H
#define ALLOCLAB_BENCH_H

#include <stdio.h>

#include "csvread.h"

int bench_main(int argc, char **argv);
int report_write(const char *dir);

/* summary.csv lookups: the row of a cell (NAN fraction, 0 workers or size: any), or -1 */
long summary_find(const struct csv *s, const char *group, const char *strategy, const char *workload,
                  double fraction, int workers, size_t size);
double summary_median(const struct csv *s, long row, const char *figure);
double calibrated(const struct csv *cal, const char *figure);
double crossover_fraction(const struct csv *s, const char *cow);
#define MAX_STRATEGIES 64
/* What a run holds, read from its summary: strategies (kind 0 all, 1 eager,
 * 2 copy-on-write) in order of appearance, and the sweep's write fractions. */
int summary_strategies(const struct csv *s, int kind, const char *out[], int max);
int summary_fractions(const struct csv *s, double out[], int max);
/* The issues' performance targets as a markdown table, measured against s and cal (NULL: NA). */
/* churn operations a thread in the named profile; -1: no such profile */
long bench_profile_churn_ops(const char *name);
/* profile: the run's; the targets are set on the default one */
void targets_write(FILE *f, const struct csv *s, const struct csv *cal, const char *profile);

/* ---- claims ---- */
enum verdict { VERDICT_HOLDS, VERDICT_NOT, VERDICT_ONLY_WHEN, VERDICT_NA };

struct claim {
    const char *id, *quote, *experiment, *figure, *threshold, *caveats;
    enum verdict verdict;
    char detail[768];
};

#define NCLAIMS 8
/* Judge every claim from a run folder's CSV files (missing data: NA). */
void claims_evaluate(const char *dir, struct claim out[NCLAIMS]);
/* Write dir/claims.md, and echo the verdict table to `echo` if not NULL; 0 or -1. */
int claims_write(const char *dir, FILE *echo);
/* The documents' own benchmark (C2), measured into dir/c2.csv; 0 or -1. */
int claims_measure_c2(const char *dir, int reps);
int claims_main(int argc, char **argv);
const char *verdict_name(enum verdict v);

#endif
