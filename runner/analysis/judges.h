/* judges.h - the verdict of each claim, from a run folder, with the
 * thresholds that decide them (written once, in judges.c). */
#ifndef ALLOCLAB_JUDGES_H
#define ALLOCLAB_JUDGES_H

#include "claims.h"
#include "runfolder.h"

struct thresholds {
    double c1_speedup;        /* copy-on-write over the best eager copy */
    double c2_claimed;        /* 1.8 s / 0.4 s */
    double c3_claimed;        /* "up to 30%" of CPU time lost to contention (a finding: no threshold) */
    double c4_almost_every;   /* "almost every page" begins here */
    double c6_share;          /* fork's cost per GiB over an eager copy's: "eliminating" the allocation under it */
    double c7_margin;         /* within this factor of the best other */
    double c8_ratio;          /* pages copied with THP always over never */
    double c9_far;            /* "far cheaper": reference-counted readers' reads/s over a mutex's */
};

extern const struct thresholds claim_thresholds;

/* For the judges kept in files of their own: set the verdict and its text;
 * "12.3 [95% interval 10.1-15.0]" (no brackets without an interval). */
void judge_say(struct claim *c, enum verdict v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *judge_show(struct interval x, const char *fmt, char *buf, size_t len);
/* interval_side(x, threshold), noting the summary rows a and b (-1: none)
 * in c->undecided when x straddles the threshold. */
enum side judge_side(struct claim *c, struct interval x, double threshold, long a, long b);
void judge_c3(const struct run_folder *run, struct claim *c); /* judge_findings.c */
void judge_c5(const struct csv *timeline, struct claim *c);   /* judge_findings.c */
void judge_c6(const struct run_folder *run, struct claim *c); /* judge_c6.c */
void judge_c7(const struct run_folder *run, struct claim *c); /* judge_c7.c */
void judge_c9(const struct run_folder *run, struct claim *c); /* judge_c9.c */

/* Judge every claim; out[i] arrives with its template, gets verdict and detail. */
void judges_run(const struct run_folder *run, struct claim out[NCLAIMS]);

#endif
