/* interval.h - medians and ratios of medians with a 95% bootstrap interval,
 * and the side of a threshold an interval falls on: how a verdict is
 * decided, or found inconclusive. */
#ifndef ALLOCLAB_INTERVAL_H
#define ALLOCLAB_INTERVAL_H

#include <stdbool.h>

/* Fewer repetitions than this give no interval (a verdict on them is inconclusive). */
#define INTERVAL_MIN_REPS 3

struct interval {
    double value, lo, hi; /* NA when not measured, or too few repetitions for lo and hi */
};

/* The median of v[0..n) with its interval. */
struct interval interval_median(const double *v, int n);
/* median(a) / median(b), with the interval of that ratio: a and b are
 * resampled apart, the ratio taken resample by resample. */
struct interval interval_ratio(const double *a, int na, const double *b, int nb);
/* median(a) / b, b taken as exact (a figure measured once by design): the
 * interval is a's alone. */
struct interval interval_ratio_to(const double *a, int na, double b);

/* Do the repetitions fall in two groups (a gap over 15% of the median
 * between sorted values, at least 2 on each side)? Such a cell's median
 * says little: it decides only when all its repetitions lie on one side. */
bool interval_bimodal(const double *v, int n);

enum side { SIDE_NA, SIDE_ABOVE, SIDE_BELOW, SIDE_STRADDLES };
/* Where x lies against threshold: wholly at or above, wholly below, across
 * it (or with no interval: too few repetitions), or not measured. */
enum side interval_side(struct interval x, double threshold);
#endif
