/*
 * stamp.h - time stamps around one heap operation, for latency samples.
 *
 * On x86-64 with an invariant time-stamp counter a stamp is a TSC read
 * fenced on both sides (lfence; rdtsc; lfence), so the operation's loads
 * and stores can neither start before the first stamp nor drift past the
 * second; elsewhere clock_gettime. Two figures come with the clock,
 * measured where the workload runs, not assumed:
 *
 *   step       what the counter does here: the spacing of the values its
 *              differences take (stamp_step_ticks), never under one tick.
 *              Under a hypervisor the TSC may advance by a step that is not
 *              a whole number of ticks: 24.45 ticks (10 ns at 2.445 GHz)
 *              reads 24 or 25 between back-to-back reads, 48 or 49 across
 *              two steps, 73 or 74 across three. The greatest common
 *              divisor of those is 1 tick (0.41 ns), which says nothing of
 *              the counter; their spacing is 24.45 ticks.
 *   overhead   the mean cost of a fenced stamp pair with nothing between
 *              them (over the two whole numbers of steps most pairs read:
 *              stamp_overhead_ticks), subtracted from every sample. A pair reads a whole number of steps,
 *              and not always the same number: on that host two steps in
 *              54% of pairs and three in the rest; on the 2-core VM two, or
 *              one in a few percent of pairs in some processes and none in
 *              others, as the code's placement moves the pair's true cost
 *              across two steps. A median (there) or the smallest (here)
 *              flips by a whole step between processes, and moves every
 *              sample with it. Read at random phases of the counter, a
 *              cost's mean is its true cost, which moves by a fraction of a
 *              step between processes, never by a whole one. Samples are then no whole number of steps, and one may
 *              still be a step off: a latency under two steps is compared
 *              with nothing (runner/analysis/resolution.h).
 *
 * Ticks become nanoseconds at the rate the workload measured over its own
 * loop (stamp_rate), so no nominal frequency is trusted.
 */
#ifndef ALLOCLAB_STAMP_H
#define ALLOCLAB_STAMP_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STAMP_PAIRS 1024 /* stamp pairs stamp_clock_init times */

struct stamp_clock {
    bool tsc;
    double step_ticks;     /* the counter's step, at least 1 */
    double overhead_ticks; /* the mean cost of a stamp pair: taken out of every sample */
    uint64_t pair_min_ticks, pair_median_ticks, pair_max_ticks; /* the pair cost's spread (calibrate.csv) */
    uint64_t ns0, ticks0;  /* for the rate */
};

static inline uint64_t stamp_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
#include <x86intrin.h>
/* The TSC ticks at one rate whatever the core's frequency or sleep state
 * only when the CPU says both constant_tsc and nonstop_tsc. */
static inline bool stamp_tsc_invariant(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f))
        if (!strncmp(line, "flags", 5))
            found = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
    if (f)
        fclose(f);
    return found;
}
static inline uint64_t stamp(bool tsc)
{
    if (!tsc)
        return stamp_clock_ns();
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}
/* a read with no fence: back to back, two of them are the counter's step apart */
static inline uint64_t stamp_unfenced(bool tsc) { return tsc ? __rdtsc() : stamp_clock_ns(); }
#else
static inline bool stamp_tsc_invariant(void) { return false; }
static inline uint64_t stamp(bool tsc) { return (void)tsc, stamp_clock_ns(); }
static inline uint64_t stamp_unfenced(bool tsc) { return (void)tsc, stamp_clock_ns(); }
#endif

static inline int stamp_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* neighbouring values of the differences (at most a tick apart) */
struct stamp_cluster {
    uint64_t lo, hi;
    double sum, count;
};

/* The step that the clusters are multiples of: the smallest cluster, or the
 * smallest gap between two, is a first guess; then the step is the
 * clusters' sum over the sum of their multiples, twice. 1 when some cluster
 * lies more than a tick from a multiple: no step fits them. */
static inline double stamp_spacing(const struct stamp_cluster *c, int m)
{
    double s = c[0].sum / c[0].count;
    for (int k = 1; k < m; k++)
        s = fmin(s, c[k].sum / c[k].count - c[k - 1].sum / c[k - 1].count);
    for (int pass = 0; pass < 2; pass++) {
        double sum = 0, multiples = 0;
        for (int k = 0; k < m; k++) {
            sum += c[k].sum;
            multiples += round(c[k].sum / c[k].count / s) * c[k].count;
        }
        s = sum / multiples;
    }
    for (int k = 0; k < m; k++)
        if (fabs(c[k].sum / c[k].count - round(c[k].sum / c[k].count / s) * s) > 1)
            return 1;
    return s > 1 ? s : 1;
}

/* The counter's step in ticks: the spacing of the values the differences
 * d[0..n) take (d is sorted in place). Zeros (two reads within a step) and
 * values seen once (an interrupt, a migration) say nothing and are left
 * out. A step that is not a whole number of ticks lands on two neighbouring
 * values, so values at most a tick apart are one cluster, counted at their
 * mean: 24 and 25 read 45% of the time 25 give 24.45, not 24 or 25 (the
 * rate that turns a sample into ns is the counter's mean). Three
 * neighbouring values are a counter that moves by single ticks: 1. */
static inline double stamp_step_ticks(uint64_t *d, size_t n)
{
    enum { MAX_CLUSTERS = 64 };
    struct stamp_cluster c[MAX_CLUSTERS];
    int m = 0;
    if (!n)
        return 1;
    qsort(d, n, sizeof *d, stamp_cmp_u64);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && d[j] == d[i]; j++)
            ;
        double count = (double)(j - i);
        if (d[i] == 0 || count < 2)
            continue;
        if (m && d[i] - c[m - 1].hi <= 1) {
            c[m - 1].hi = d[i];
            c[m - 1].sum += (double)d[i] * count;
            c[m - 1].count += count;
            if (c[m - 1].hi - c[m - 1].lo >= 2)
                return 1;
        } else if (m < MAX_CLUSTERS) { /* past that, enough multiples to tell the spacing */
            c[m++] = (struct stamp_cluster){d[i], d[i], (double)d[i] * count, count};
        }
    }
    return m ? stamp_spacing(c, m) : 1;
}

/* The stamps' cost taken out of every sample: the mean of the pair costs
 * cost[0..n), sorted, that read the median's whole number of steps or the
 * neighbouring one more of them read. A cost between k and k+1 steps reads
 * one or the other, in proportion; a pair that read more was held up
 * (an interrupt: thousands of ticks) and is left out. 0 for no pairs. */
static inline double stamp_overhead_ticks(const uint64_t *cost, size_t n, double step)
{
    if (!n)
        return 0;
    double median = (double)cost[n / 2], half = step / 2, under = 0, over = 0, sum = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        under += fabs((double)cost[i] - (median - step)) < half;
        over += fabs((double)cost[i] - (median + step)) < half;
    }
    double lo = over >= under ? median - half : median - step - half;
    for (size_t i = 0; i < n; i++)
        if ((double)cost[i] > lo && (double)cost[i] < lo + 2 * step) {
            sum += (double)cost[i];
            count++;
        }
    return sum / count; /* the median's own pairs at least */
}

static inline void stamp_spin(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        ;
}

/* Measure the stamps' own cost and the counter's step; start the rate's clock.
 * The step comes from three kinds of differences: unfenced reads back to
 * back (one step, mostly), fenced pairs (the cost every sample pays) and
 * fenced pairs around a spin of 0 to 63 iterations, which spread over many
 * steps, so that a counter that moves by single ticks shows it. */
static inline void stamp_clock_init(struct stamp_clock *c)
{
    enum { N = STAMP_PAIRS };
    uint64_t d[3 * N], cost[N];
    c->tsc = stamp_tsc_invariant();
    for (int i = 0; i < N; i++) {
        uint64_t a = stamp_unfenced(c->tsc), b = stamp_unfenced(c->tsc);
        d[i] = b - a;
        uint64_t t0 = stamp(c->tsc), t1 = stamp(c->tsc);
        cost[i] = d[N + i] = t1 - t0;
        t0 = stamp(c->tsc);
        stamp_spin((unsigned)i % 64);
        d[2 * N + i] = stamp(c->tsc) - t0;
    }
    qsort(cost, N, sizeof cost[0], stamp_cmp_u64);
    c->step_ticks = stamp_step_ticks(d, 3 * N);
    c->overhead_ticks = stamp_overhead_ticks(cost, N, c->step_ticks);
    c->pair_min_ticks = cost[0];
    c->pair_median_ticks = cost[N / 2];
    c->pair_max_ticks = cost[N - 1];
    c->ns0 = stamp_clock_ns();
    c->ticks0 = stamp(c->tsc);
}

/* ns per tick since stamp_clock_init (1 for clock_gettime); 0: no rate */
static inline double stamp_rate(const struct stamp_clock *c)
{
    if (!c->tsc)
        return 1;
    uint64_t ns = stamp_clock_ns(), ticks = stamp(c->tsc);
    return ticks > c->ticks0 && ns > c->ns0 ? (double)(ns - c->ns0) / (double)(ticks - c->ticks0) : 0;
}

/* A sample of t1 - t0 ticks, its stamps' cost taken out, in whole ns (0
 * where the pair cost more than the sample: under a step, however read). */
static inline uint64_t stamp_sample_ns(const struct stamp_clock *c, uint64_t ticks, double ns_per_tick)
{
    double net = (double)ticks - c->overhead_ticks;
    return net > 0 ? (uint64_t)(net * ns_per_tick + 0.5) : 0;
}

#endif
