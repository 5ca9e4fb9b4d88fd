/*
 * interval.c - bootstrap intervals. Each repetition is resampled with
 * replacement, the statistic recomputed, and the 2.5th and 97.5th
 * percentiles of 2000 resamples taken (a percentile bootstrap). The
 * generator is seeded, so the same run folder always gives the same
 * intervals. A noisy cell widens its interval by itself, since its
 * resampled medians spread; what narrows it is more repetitions (the
 * bench adds them where a verdict's interval straddles its threshold),
 * never a bound taken from the two cells' separate extremes.
 */
#include "interval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"

#define RESAMPLES 2000
#define MAX_REPS 256

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double resampled_median(const double *v, int n, uint64_t *seed, double *scratch)
{
    for (int i = 0; i < n; i++)
        scratch[i] = v[next(seed) % (uint64_t)n];
    return median(scratch, n);
}

/* Bootstrap of median(a) / median(b) (b NULL: of median(a)). */
static struct interval bootstrap(const double *a, int na, const double *b, int nb)
{
    double copy[MAX_REPS], scratch[MAX_REPS];
    struct interval x = {NA, NA, NA};
    if (na < 1 || na > MAX_REPS || (b && (nb < 1 || nb > MAX_REPS)))
        return x;
    memcpy(copy, a, (size_t)na * sizeof *a);
    x.value = median(copy, na);
    if (b) {
        memcpy(copy, b, (size_t)nb * sizeof *b);
        x.value /= median(copy, nb);
    }
    if (na < INTERVAL_MIN_REPS || (b && nb < INTERVAL_MIN_REPS))
        return x;
    static double stat[RESAMPLES];
    uint64_t seed = 0x5eed;
    for (int r = 0; r < RESAMPLES; r++) {
        stat[r] = resampled_median(a, na, &seed, scratch);
        if (b)
            stat[r] /= resampled_median(b, nb, &seed, scratch);
    }
    qsort(stat, RESAMPLES, sizeof *stat, cmp_double);
    x.lo = stat[(int)(0.025 * RESAMPLES)];
    x.hi = stat[(int)(0.975 * RESAMPLES) - 1];
    return x;
}

struct interval interval_median(const double *v, int n) { return bootstrap(v, n, NULL, 0); }

struct interval interval_ratio(const double *a, int na, const double *b, int nb) { return bootstrap(a, na, b, nb); }

struct interval interval_ratio_to(const double *a, int na, double b)
{
    struct interval x = bootstrap(a, na, NULL, 0);
    return (struct interval){x.value / b, x.lo / b, x.hi / b};
}

enum side interval_side(struct interval x, double threshold)
{
    if (is_na(x.value))
        return SIDE_NA;
    if (is_na(x.lo) || is_na(x.hi))
        return SIDE_STRADDLES;
    if (x.lo >= threshold)
        return SIDE_ABOVE;
    if (x.hi < threshold)
        return SIDE_BELOW;
    return SIDE_STRADDLES;
}

bool interval_bimodal(const double *v, int n)
{
    double sorted[MAX_REPS];
    if (n < 4 || n > MAX_REPS)
        return false;
    memcpy(sorted, v, (size_t)n * sizeof *v);
    double mid = median(sorted, n); /* sorts */
    for (int i = 2; i <= n - 2; i++) /* a gap with at least 2 values on each side */
        if (sorted[i] - sorted[i - 1] > 0.15 * mid)
            return true;
    return false;
}
