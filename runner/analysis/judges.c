/*
 * judges.c - the verdict on each claim, computed from a run folder.
 *
 * A ratio that decides a verdict is a ratio of medians with a 95% bootstrap
 * interval over the cells' repetitions (interval.c). The verdict follows the
 * side of its threshold the whole interval lies on; an interval across the
 * threshold, or fewer than INTERVAL_MIN_REPS repetitions, make it
 * "inconclusive". A noisy cell (wall time varying over 10%) cannot decide by
 * its median: its interval is widened to the extremes of its repetitions.
 * Missing data makes it NA. The text names the cells each number compares.
 */
#include "judges.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "crossover.h"
#include "groups.h"
#include "interval.h"

const struct thresholds claim_thresholds = {
    .c1_speedup = 10, .c2_claimed = 1.8 / 0.4, .c3_holds = 0.30, .c3_when = 0.05, .c4_almost_every = 0.5,
    .c5_share = 0.8, .c6_ms_per_gib = 1.0, .c7_margin = 1.1, .c8_ratio = 2,
};
#define T claim_thresholds
#define REPS 256

static void say(struct claim *c, enum verdict v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct claim *c, enum verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->verdict = v;
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
}

/* "12.3 [10.1, 15.0]", or without the brackets when there is no interval */
static const char *show(struct interval x, const char *fmt, char *buf, size_t len)
{
    char v[32], lo[32], hi[32];
    snprintf(v, sizeof v, fmt, x.value);
    if (is_na(x.lo)) {
        snprintf(buf, len, "%s (too few repetitions for an interval)", v);
        return buf;
    }
    snprintf(lo, sizeof lo, fmt, x.lo);
    snprintf(hi, sizeof hi, fmt, x.hi);
    snprintf(buf, len, "%.31s [95%% interval %.31s-%.31s]", v, lo, hi);
    return buf;
}

static void extremes(const double *v, int n, double *lo, double *hi)
{
    *lo = *hi = v[0];
    for (int i = 1; i < n; i++) {
        *lo = fmin(*lo, v[i]);
        *hi = fmax(*hi, v[i]);
    }
}

/* figure_a of row a over figure_b of row b, over their repetitions. A noisy
 * cell cannot decide by its median: its ratio's interval is then the
 * extremes of the repetitions (smallest over largest, largest over smallest). */
static struct interval ratio_of(const struct run_folder *run, long a, const char *fig_a, long b, const char *fig_b)
{
    static double va[REPS], vb[REPS];
    int na = run_reps(run, a, fig_a, va, REPS), nb = run_reps(run, b, fig_b, vb, REPS);
    if (!na || !nb)
        return (struct interval){NA, NA, NA};
    struct interval x = interval_ratio(va, na, vb, nb);
    if ((run_noisy(run, a) || run_noisy(run, b)) && !is_na(x.lo)) {
        double alo, ahi, blo, bhi;
        extremes(va, na, &alo, &ahi);
        extremes(vb, nb, &blo, &bhi);
        x.lo = fmin(x.lo, alo / bhi);
        x.hi = fmax(x.hi, ahi / blo);
    }
    return x;
}

/* The row of the eager strategy with the smallest median figure in a group. */
static long best_eager(const struct run_folder *run, const char *group, const char *workload, const char *figure)
{
    const char *eager[RUN_MAX_STRATEGIES];
    int neager = run_strategies(run, KIND_EAGER, eager, RUN_MAX_STRATEGIES);
    long best = -1;
    for (int k = 0; k < neager; k++) {
        long row = run_find(run, group, eager[k], workload, NULL);
        double v = run_median(run, row, figure);
        if (!isnan(v) && (best < 0 || v < run_median(run, best, figure)))
            best = row;
    }
    return best;
}

static const char *strategy_of(const struct run_folder *run, long row)
{
    return row < 0 ? "?" : csv_text(&run->summary, (size_t)row, "strategy");
}

/* C1: copy-on-write against eager copy on read_heavy, whole runs */
static void judge_c1(const struct run_folder *run, struct claim *c)
{
    long eager = best_eager(run, GROUP_MAIN, "read_heavy", "wall_ns"), cow = -1;
    const char *cows[RUN_MAX_STRATEGIES];
    int ncows = run_strategies(run, KIND_COPY_ON_WRITE, cows, RUN_MAX_STRATEGIES);
    for (int k = 0; k < ncows; k++) { /* the fastest copy-on-write strategy */
        long row = run_find(run, GROUP_MAIN, cows[k], "read_heavy", NULL);
        if (row >= 0 && (cow < 0 || run_median(run, row, "wall_ns") < run_median(run, cow, "wall_ns")))
            cow = row;
    }
    struct interval wall = ratio_of(run, eager, "wall_ns", cow, "wall_ns");
    struct interval prov = ratio_of(run, eager, "provision_ns", cow, "provision_ns");
    if (is_na(wall.value))
        return say(c, VERDICT_NA, "read_heavy was not measured for both kinds of strategy");
    char w[128], p[128];
    show(wall, "%.1fx", w, sizeof w);
    show(prov, "%.0fx", p, sizeof p);
    const char *ec = strategy_of(run, eager), *cc = strategy_of(run, cow);
    enum side side = interval_side(wall, T.c1_speedup);
    if (side == SIDE_ABOVE)
        return say(c, VERDICT_HOLDS, "%s runs read_heavy %s faster than the best eager copy (%s), wall time", cc, w,
                   ec);
    if (side == SIDE_STRADDLES)
        return say(c, VERDICT_INCONCLUSIVE, "%s against %s on read_heavy: %s faster, wall time, which cannot be "
                                            "told from %gx", cc, ec, w, T.c1_speedup);
    if (interval_side(prov, T.c1_speedup) == SIDE_ABOVE)
        return say(c, VERDICT_ONLY_WHEN,
                   "taking the copy is measured alone: %s provisions %s faster than %s, but the whole read-heavy "
                   "run is only %s faster",
                   cc, p, ec, w);
    say(c, VERDICT_NOT, "%s is %s faster than the best eager copy (%s) on read_heavy, wall time, and %s faster to "
                        "provision", cc, w, ec, p);
}

/* C2: the documents' own benchmark (c2.csv). The verdict rests on what the
 * two variants do: both copy all N ints, so neither is copy-on-write. */
static void judge_c2(const struct csv *c2, struct claim *c)
{
    double t[4] = {NAN, NAN, NAN, NAN};
    static const char *const variant[] = {"deep_copy", "simulated_cow", "fork_cow", "mprotect_cow"};
    for (size_t i = 0; i < c2->nrows; i++)
        for (int k = 0; k < 4; k++)
            if (!strcmp(csv_text(c2, i, "variant"), variant[k]))
                t[k] = csv_num(c2, i, "seconds_median");
    if (isnan(t[0]) || isnan(t[1]))
        return say(c, VERDICT_NA, "c2.csv is missing: run `make bench`");
    double true_cow = fmin(isnan(t[2]) ? INFINITY : t[2], isnan(t[3]) ? INFINITY : t[3]);
    say(c, VERDICT_NOT,
        "both of the documents' variants copy all 10,000,000 ints, so neither is copy-on-write and the claimed "
        "%.1fx cannot come from it: measured, deep copy %.2f ms and the \"simulated\" version %.2f ms (%.2fx). "
        "True copy-on-write copies one page: fork_cow %.3f ms, mprotect_cow %.3f ms, %.0fx faster than the deep "
        "copy",
        T.c2_claimed, t[0] * 1e3, t[1] * 1e3, t[0] / t[1], t[2] * 1e3, t[3] * 1e3, t[0] / true_cow);
}

/* ops per CPU-second of each repetition of a churn cell; how many (0: no task clock) */
static int ops_per_cpu_second(const struct run_folder *run, long row, double *out)
{
    static double cpu[REPS];
    int n = run_reps(run, row, "ops", out, REPS), m = run_reps(run, row, "task_clock_ns", cpu, REPS);
    if (n != m)
        return 0;
    for (int i = 0; i < n; i++)
        out[i] = out[i] / (cpu[i] / 1e9);
    return n;
}

/* C3: the share of CPU time lost to contention: 1 - (ops per CPU-second at
 * T threads / at 1 thread), at the most threads measured */
static void judge_c3(const struct run_folder *run, struct claim *c)
{
    long one = run_find(run, GROUP_CHURN, "locked_freelist", NULL, "workers=1"), most = -1;
    for (int t = 2; t <= 1024; t++) {
        char where[32];
        snprintf(where, sizeof where, "workers=%d", t);
        long row = run_find(run, GROUP_CHURN, "locked_freelist", NULL, where);
        most = row >= 0 ? row : most;
    }
    static double a[REPS], b[REPS];
    int na = ops_per_cpu_second(run, most, a), nb = ops_per_cpu_second(run, one, b);
    if (!na || !nb)
        return say(c, VERDICT_NA, "churn on locked_freelist at 1 and at 2 or more threads, with a task clock, was "
                                  "not measured");
    struct interval kept = interval_ratio(a, na, b, nb);
    struct interval lost = {1 - kept.value, 1 - kept.hi, 1 - kept.lo};
    if (run_noisy(run, most) || run_noisy(run, one)) { /* judged on the extremes, as ratio_of does */
        double alo, ahi, blo, bhi;
        extremes(a, na, &alo, &ahi);
        extremes(b, nb, &blo, &bhi);
        lost.lo = fmin(lost.lo, 1 - ahi / blo);
        lost.hi = fmax(lost.hi, 1 - alo / bhi);
    }
    int threads = (int)csv_num(&run->summary, (size_t)most, "workers");
    double wall = run_median(run, most, "wall_ns"), cpu = run_median(run, most, "task_clock_ns");
    double off_cpu = 1 - cpu / (threads * wall), waited = run_median(run, most, "lock_wait_share");
    char l[128], beside[200];
    show((struct interval){100 * lost.value, 100 * lost.lo, 100 * lost.hi}, "%.0f%%", l, sizeof l);
    snprintf(beside, sizeof beside, "; beside it, the threads were off-CPU %.0f%% of threads x wall time and waited "
             "for the lock (timed) %.0f%% of it", 100 * off_cpu, 100 * waited);
    enum side side = interval_side(lost, T.c3_holds);
    if (side == SIDE_ABOVE)
        return say(c, VERDICT_HOLDS, "at %d threads locked_freelist did %s fewer operations per CPU-second than at "
                                     "1: CPU time lost to contention%s", threads, l, beside);
    if (side == SIDE_STRADDLES)
        return say(c, VERDICT_INCONCLUSIVE, "at %d threads locked_freelist lost %s of its operations per "
                                            "CPU-second, which cannot be told from %.0f%%%s",
                   threads, l, 100 * T.c3_holds, beside);
    if (interval_side(lost, T.c3_when) == SIDE_ABOVE)
        return say(c, VERDICT_ONLY_WHEN, "more threads contend than this machine ran: %s of the CPU time lost at %d "
                                         "threads (the most it has)%s", l, threads, beside);
    say(c, VERDICT_NOT, "locked_freelist lost %s of its operations per CPU-second at %d threads%s", l, threads, beside);
}

/* C4: the crossover write fraction, as an interval */
static void judge_c4(const struct run_folder *run, struct claim *c)
{
    const char *cows[RUN_MAX_STRATEGIES];
    int ncows = run_strategies(run, KIND_COPY_ON_WRITE, cows, RUN_MAX_STRATEGIES);
    char all[sizeof c->detail] = "";
    size_t len = 0;
    int holds = 0, undecided = 0, measured = 0;
    for (int k = 0; k < ncows && len < sizeof all; k++) {
        struct crossover x;
        if (crossover_find(run, cows[k], &x) != 0)
            continue;
        measured++;
        holds += !is_na(x.by);
        undecided += is_na(x.by) && x.undecided_at_top;
        char text[400];
        crossover_text(cows[k], &x, T.c4_almost_every, text, sizeof text);
        len += (size_t)snprintf(all + len, sizeof all - len, "%s%s", len ? "; " : "", text);
    }
    if (!measured)
        return say(c, VERDICT_NA, "the write-fraction sweep was not measured");
    say(c, holds ? VERDICT_HOLDS : undecided ? VERDICT_INCONCLUSIVE : VERDICT_NOT, "%s", all);
}

/* C5: overcommit memory climbs from S to (N+1)S */
static void judge_c5(const struct csv *tl, struct claim *c)
{
    double start = NAN, end = NAN, size = NAN, workers = NAN;
    const char *refuse = "NA";
    for (size_t i = 0; i < tl->nrows; i++) {
        if (strcmp(csv_text(tl, i, "strategy"), "fork_cow") || csv_num(tl, i, "rep") != 1)
            continue;
        if (csv_num(tl, i, "step") == 0)
            start = csv_num(tl, i, "pss_sum_kib");
        end = csv_num(tl, i, "pss_sum_kib");
        size = csv_num(tl, i, "size_bytes") / 1024;
        workers = csv_num(tl, i, "workers");
        refuse = csv_text(tl, i, "strict_overcommit_would_refuse");
    }
    if (isnan(start) || isnan(end))
        return say(c, VERDICT_NA, "no overcommit timeline for fork_cow");
    double growth = end / start, expected = workers + 1;
    if (growth >= T.c5_share * expected)
        return say(c, VERDICT_HOLDS,
                   "fork_cow's PSS went from %.0f MiB (%.1f x S) to %.0f MiB (%.1f x S) as %g workers wrote: "
                   "%.1fx; strict overcommit would %s",
                   start / 1024, start / size, end / 1024, end / size, workers, growth,
                   !strcmp(refuse, "1") ? "have refused it" : "still have allowed it at this size");
    say(c, VERDICT_NOT, "fork_cow's PSS grew only %.1fx (from %.0f to %.0f MiB), against (N+1) = %.0f", growth,
        start / 1024, end / 1024, expected);
}

/* The fork group's rows of one strategy at its smallest and largest size. */
static void fork_rows(const struct run_folder *run, const char *strategy, long *small, long *big)
{
    const struct csv *s = &run->summary;
    *small = *big = -1;
    for (size_t i = 0; i < s->nrows; i++) {
        if (strcmp(csv_text(s, i, "group"), GROUP_FORK) || strcmp(csv_text(s, i, "strategy"), strategy))
            continue;
        double size = csv_num(s, i, "size_bytes");
        if (*big < 0 || size > csv_num(s, (size_t)*big, "size_bytes"))
            *big = (long)i;
        if (*small < 0 || size < csv_num(s, (size_t)*small, "size_bytes"))
            *small = (long)i;
    }
}

/* fork()'s cost per GiB of private memory, as the slope between the
 * smallest and largest size: one value per repetition at the largest size,
 * against the smallest size's median. */
static struct interval fork_slope(const struct run_folder *run, const char *strategy)
{
    long small, big;
    fork_rows(run, strategy, &small, &big);
    double gib = (run_median(run, big, "fork_private_kib") - run_median(run, small, "fork_private_kib")) / (1 << 20);
    static double v[REPS];
    int n = small != big ? run_reps(run, big, "fork_ns", v, REPS) : 0;
    for (int i = 0; i < n; i++)
        v[i] = (v[i] - run_median(run, small, "fork_ns")) / 1e6 / gib;
    struct interval x = interval_median(v, n);
    if (n && run_noisy(run, big) && !is_na(x.lo)) /* a noisy cell: its extremes */
        extremes(v, n, &x.lo, &x.hi);
    return x;
}

/* C6: fork is not free: page tables are copied */
static void judge_c6(const struct run_folder *run, struct claim *c)
{
    struct interval gib = fork_slope(run, "fork_cow"), views = fork_slope(run, "mprotect_cow");
    if (is_na(gib.value))
        return say(c, VERDICT_NA, "fork_cost was not measured at two sizes");
    long small, big;
    fork_rows(run, "fork_cow", &small, &big);
    char g[128], m[128];
    show(gib, "%.2f", g, sizeof g);
    show(views, "%.2f", m, sizeof m);
    double first = run_median(run, big, "fork_first_ns") / 1e6, size_mib = csv_num(&run->summary, (size_t)big,
                                                                                   "size_bytes") / (1 << 20);
    enum side side = interval_side(gib, T.c6_ms_per_gib);
    if (side == SIDE_ABOVE)
        return say(c, VERDICT_NOT,
                   "fork() of fork_cow's worker cost %s ms per GiB of private memory (the slope up to %.0f MiB; "
                   "repeated forks, the first took %.1f ms): the pages are shared, but their page tables are "
                   "copied. mprotect_cow's views, private mappings too, cost %s ms per GiB",
                   g, size_mib, first, m);
    if (side == SIDE_STRADDLES)
        return say(c, VERDICT_INCONCLUSIVE, "fork() cost %s ms per GiB of private memory (up to %.0f MiB), which "
                                            "cannot be told from %g ms", g, size_mib, T.c6_ms_per_gib);
    say(c, VERDICT_HOLDS, "fork() cost only %s ms per GiB of private memory here (up to %.0f MiB)", g, size_mib);
}

/* Is x wholly within the margin (1), wholly beyond it (0), or across it (-1)? */
static int within(struct interval x)
{
    enum side side = interval_side(x, T.c7_margin);
    return side == SIDE_BELOW ? 1 : side == SIDE_ABOVE ? 0 : -1;
}

/* C7: block sub-allocation: predictable latency, minimal fragmentation */
static void judge_c7(const struct run_folder *run, struct claim *c)
{
    long b = run_find(run, GROUP_CHURN, "block_suballoc", NULL, "workers=1"), lat_row = -1, frag_row = -1;
    const char *eager[RUN_MAX_STRATEGIES];
    int neager = run_strategies(run, KIND_EAGER, eager, RUN_MAX_STRATEGIES);
    for (int k = 0; k < neager; k++) { /* the best other heap on each count */
        long r = strcmp(eager[k], "block_suballoc") ? run_find(run, GROUP_CHURN, eager[k], NULL, "workers=1") : -1;
        if (r >= 0 && (lat_row < 0 || run_median(run, r, "lat_p999_ns") < run_median(run, lat_row, "lat_p999_ns")))
            lat_row = r;
        if (r >= 0 && (frag_row < 0 || run_median(run, r, "fragmentation") < run_median(run, frag_row, "fragmentation")))
            frag_row = r;
    }
    struct interval lat = ratio_of(run, b, "lat_p999_ns", lat_row, "lat_p999_ns");
    struct interval frag = ratio_of(run, b, "fragmentation", frag_row, "fragmentation");
    if (is_na(lat.value) || is_na(frag.value))
        return say(c, VERDICT_NA, "churn latency and fragmentation were not measured at 1 thread");
    char l[128], f[128], detail[400];
    snprintf(detail, sizeof detail, "p99.9 latency %s the best other's (%s), fragmentation %s the best other's (%s)",
             show(lat, "%.2fx", l, sizeof l), strategy_of(run, lat_row), show(frag, "%.2fx", f, sizeof f),
             strategy_of(run, frag_row));
    int lat_ok = within(lat), frag_ok = within(frag);
    if (lat_ok < 0 || frag_ok < 0)
        return say(c, VERDICT_INCONCLUSIVE, "%s: an interval crosses %.2fx", detail, T.c7_margin);
    if (lat_ok && frag_ok)
        return say(c, VERDICT_HOLDS, "%s", detail);
    if (lat_ok)
        return say(c, VERDICT_ONLY_WHEN, "latency is what counts, not space: %s (size-class slabs reserve memory per "
                                         "class)", detail);
    if (frag_ok)
        return say(c, VERDICT_ONLY_WHEN, "space is what counts, not latency: %s", detail);
    say(c, VERDICT_NOT, "%s", detail);
}

/* C8: transparent huge pages and copy-on-write, decided by pages copied */
static void judge_c8(const struct run_folder *run, struct claim *c)
{
    long never = run_find(run, GROUP_THP, "fork_cow", NULL, "thp=never");
    long always = run_find(run, GROUP_THP, "fork_cow", NULL, "thp=always");
    struct interval pages = ratio_of(run, always, "pages_copied", never, "pages_copied");
    struct interval time = ratio_of(run, always, "wall_ns", never, "wall_ns");
    if (is_na(pages.value))
        return say(c, VERDICT_NA, "the THP cells were not measured");
    if (strstr(run_meta(run, "transparent huge pages"), "[never]"))
        return say(c, VERDICT_NA, "transparent huge pages are off system-wide here ([never]): madvise cannot "
                                  "turn them on, so the comparison is empty");
    double huge = run_median(run, always, "anon_huge_kib");
    if (!(huge > 0))
        return say(c, VERDICT_NA, "with --thp always no memory was backed by huge pages (AnonHugePages 0): the "
                                  "comparison is empty on this machine");
    char p[128], t[128];
    show(pages, "%.2fx", p, sizeof p);
    show(time, "%.2fx", t, sizeof t);
    enum side side = interval_side(pages, T.c8_ratio);
    if (side == SIDE_ABOVE)
        return say(c, VERDICT_HOLDS, "random 1%% writes through fork_cow copied %s the pages with huge pages as "
                                     "without (time: %s)", p, t);
    if (side == SIDE_STRADDLES)
        return say(c, VERDICT_INCONCLUSIVE, "fork_cow copied %s the pages with huge pages as without, which cannot "
                                            "be told from %gx (time: %s)", p, T.c8_ratio, t);
    say(c, VERDICT_NOT,
        "with %.0f MiB backed by huge pages, random 1%% writes through fork_cow copied %s the pages they copy "
        "without (time: %s): no 2 MiB copies (recent kernels split a shared huge page on a write fault and copy "
        "4 KiB)", huge / 1024, p, t);
}

void judges_run(const struct run_folder *run, struct claim out[NCLAIMS])
{
    judge_c1(run, &out[0]);
    judge_c2(&run->c2, &out[1]);
    judge_c3(run, &out[2]);
    judge_c4(run, &out[3]);
    judge_c5(&run->timeline, &out[4]);
    judge_c6(run, &out[5]);
    judge_c7(run, &out[6]);
    judge_c8(run, &out[7]);
}
