/*
 * stamp.h - time stamps around one heap operation, for latency samples.
 *
 * On x86-64 with an invariant time-stamp counter a stamp is a TSC read
 * fenced on both sides (lfence; rdtsc; lfence), so the operation's loads
 * and stores can neither start before the first stamp nor drift past the
 * second; elsewhere clock_gettime. Two figures come with the clock,
 * measured where the workload runs, not assumed:
 *
 *   overhead     the median of back-to-back stamp pairs with nothing
 *                between them: the stamps' own cost, which lands inside
 *                every sample and is subtracted from it;
 *   resolution   the step the counter advances by (the greatest common
 *                divisor of many consecutive differences): on the 2-core VM
 *                the TSC moves in steps of 21 ticks (10 ns), so a sample
 *                under 10 ns cannot be told from 0 and is reported
 *                "<10 ns", never as a figure.
 *
 * Ticks become nanoseconds at the rate the workload measured over its own
 * loop (stamp_rate), so no nominal frequency is trusted.
 */
#ifndef ALLOCLAB_STAMP_H
#define ALLOCLAB_STAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct stamp_clock {
    bool tsc;
    uint64_t overhead_ticks; /* median cost of a stamp pair */
    uint64_t step_ticks;     /* the counter's resolution */
    uint64_t ns0, ticks0;    /* for the rate */
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
#else
static inline bool stamp_tsc_invariant(void) { return false; }
static inline uint64_t stamp(bool tsc) { return (void)tsc, stamp_clock_ns(); }
#endif

static inline int stamp_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Measure the stamps' own cost and step; start the rate's clock. */
static inline void stamp_clock_init(struct stamp_clock *c)
{
    enum { PAIRS = 2047 };
    static uint64_t cost[PAIRS];
    c->tsc = stamp_tsc_invariant();
    uint64_t step = 0, prev = stamp(c->tsc);
    for (int i = 0; i < PAIRS; i++) {
        uint64_t t0 = stamp(c->tsc), t1 = stamp(c->tsc);
        cost[i] = t1 - t0;
        for (uint64_t d = t0 - prev; d;) { /* step = gcd(step, d) */
            uint64_t r = step % d;
            step = d;
            d = r;
        }
        prev = t1;
    }
    qsort(cost, PAIRS, sizeof cost[0], stamp_cmp_u64);
    c->overhead_ticks = cost[PAIRS / 2];
    c->step_ticks = step ? step : 1;
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

/* A sample of t1 - t0 ticks, its stamps' cost taken out, in ns. */
static inline uint64_t stamp_sample_ns(const struct stamp_clock *c, uint64_t ticks, double ns_per_tick)
{
    uint64_t net = ticks > c->overhead_ticks ? ticks - c->overhead_ticks : 0;
    return (uint64_t)((double)net * ns_per_tick + 0.5);
}

#endif
