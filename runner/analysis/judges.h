/* judges.h - what every claim's judge is built from (the files of claims/): its
 * verdict and text, an interval shown, and the cells whose interval
 * straddles a threshold noted for more repetitions. Names no claim. */
#ifndef ALLOCLAB_JUDGES_H
#define ALLOCLAB_JUDGES_H

#include "allocator.h" /* NA */
#include "claims.h"
#include "interval.h"
#include "runfolder.h"

/* Set the verdict and its text. */
void judge_say(struct judgement *j, enum verdict v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "12.3 [95% interval 10.1-15.0]" (no brackets without an interval) */
const char *judge_show(struct interval x, const char *fmt, char *buf, size_t len);
/* interval_side(x, threshold), noting the summary rows a and b (-1: none)
 * in j->undecided when x straddles the threshold. */
enum side judge_side(struct judgement *j, struct interval x, double threshold, long a, long b);
/* A summary row's strategy, or "?" for no row. */
const char *judge_strategy(const struct run_folder *run, long row);

#endif
