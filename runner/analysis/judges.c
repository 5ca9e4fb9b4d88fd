/*
 * judges.c - the verdict on each claim, computed from a run folder.
 *
 * A ratio that decides a verdict is a ratio of medians with a 95% percentile
 * bootstrap interval over both cells' repetitions (interval.c). The verdict
 * follows the side of its threshold the whole interval lies on; an interval
 * across the threshold, or fewer than INTERVAL_MIN_REPS repetitions, make it
 * "inconclusive". A noisy cell is judged the same way: its spread widens its
 * interval, and only more repetitions narrow it (the bench adds them where a
 * verdict's interval straddles its threshold: runner/straddle.c). Missing
 * data makes it NA. The text names the cells each number compares.
 */
#include "judges.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "crossover.h"
#include "groups.h"
#include "interval.h"
#include "lookups.h"

const struct thresholds claim_thresholds = {
    .c1_speedup = 10, .c2_claimed = 1.8 / 0.4, .c3_claimed = 0.30, .c4_almost_every = 0.5, .c6_share = 0.01,
    .c7_margin = 1.1, .c8_ratio = 2, .c9_far = 2,
};
#define T claim_thresholds
#define REPS 256

void judge_say(struct claim *c, enum verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->verdict = v;
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
}

static void note_undecided(struct claim *c, long row)
{
    for (int i = 0; i < c->nundecided; i++)
        if (c->undecided[i] == row)
            return;
    if (row >= 0 && c->nundecided < CLAIM_MAX_UNDECIDED)
        c->undecided[c->nundecided++] = row;
}

enum side judge_side(struct claim *c, struct interval x, double threshold, long a, long b)
{
    enum side side = interval_side(x, threshold);
    if (side == SIDE_STRADDLES) {
        note_undecided(c, a);
        note_undecided(c, b);
    }
    return side;
}

/* "12.3 [10.1, 15.0]", or without the brackets when there is no interval */
const char *judge_show(struct interval x, const char *fmt, char *buf, size_t len)
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

/* figure_a of row a over figure_b of row b, over their repetitions */
static struct interval ratio_of(const struct run_folder *run, long a, const char *fig_a, long b, const char *fig_b)
{
    return run_ratio(run, a, fig_a, b, fig_b);
}

static const char *strategy_of(const struct run_folder *run, long row)
{
    return row < 0 ? "?" : csv_text(&run->summary, (size_t)row, "strategy");
}

/* "at 1000 lookups: block_suballoc 290 ms / fork_cow 16 ms = 18.1x [...]" */
static size_t point_text(const struct run_folder *run, const struct lookups_point *p, char *buf, size_t len)
{
    char x[128];
    judge_show(p->speedup, "%.1fx", x, sizeof x);
    return (size_t)snprintf(buf, len, "at %.0f lookups per copy %s %.0f ms / %s %.0f ms = %s", p->reads,
                            strategy_of(run, p->eager), run_median(run, p->eager, "wall_ns") / 1e6,
                            strategy_of(run, p->cow), run_median(run, p->cow, "wall_ns") / 1e6, x);
}

/* C1: the best copy-on-write strategy against the best eager copy on
 * read_heavy, wall time, at each count of lookups per copy: an order of
 * magnitude holds where the interval is wholly at or over it */
static void judge_c1(const struct run_folder *run, struct claim *c)
{
    struct lookups_point p[LOOKUPS_MAX_POINTS];
    int n = lookups_points(run, p), above = 0, below = 0, last_above = -1, first_below = -1;
    if (!n)
        return judge_say(c, VERDICT_NA, "read_heavy's lookups sweep was not measured for both kinds of strategy");
    char all[sizeof c->detail];
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof all; i++) {
        enum side side = judge_side(c, p[i].speedup, T.c1_speedup, p[i].eager, p[i].cow);
        above += side == SIDE_ABOVE, below += side == SIDE_BELOW;
        last_above = side == SIDE_ABOVE ? i : last_above;
        first_below = side == SIDE_BELOW && first_below < 0 ? i : first_below;
        len += point_text(run, &p[i], all + len, sizeof all - len);
        len += (size_t)snprintf(all + len, sizeof all - len, "%s", i + 1 < n ? "; " : "");
    }
    struct lookups_split s = lookups_split(run, p[n - 1].cow, p[n - 1].control);
    char split[200];
    snprintf(split, sizeof split, ". At %.0f, %s's %.0f ms over the control: %.1f provisioning, %.0f deferred "
             "(first accesses, copies); the lookups alone %.0f ms", p[n - 1].reads, strategy_of(run, p[n - 1].cow),
             s.over, s.provision, s.deferred, s.lookups);
    if (above == n)
        return judge_say(c, VERDICT_HOLDS, "an order of magnitude at every count measured: %s%s", all, split);
    if (below == n)
        return judge_say(c, VERDICT_NOT, "under %gx at every count measured: %s%s", T.c1_speedup, all, split);
    if (above && below && last_above < first_below)
        return judge_say(c, VERDICT_ONLY_WHEN, "with few lookups per copy: %gx or more up to %.0f lookups, less from "
                   "%.0f: %s%s", T.c1_speedup, p[last_above].reads, p[first_below].reads, all, split);
    judge_say(c, VERDICT_INCONCLUSIVE, "the intervals cannot be told from %gx where it matters: %s%s", T.c1_speedup, all,
        split);
}

/* A c2.csv variant: its median, and its repetitions (seconds_reps, ';'
 * apart; none in an older run's file); how many repetitions. */
static int c2_variant(const struct csv *c2, const char *variant, double *median, double *reps, int max)
{
    *median = NA;
    for (size_t i = 0; i < c2->nrows; i++) {
        if (strcmp(csv_text(c2, i, "variant"), variant))
            continue;
        *median = csv_num(c2, i, "seconds_median");
        char list[4096];
        snprintf(list, sizeof list, "%s", csv_col(c2, "seconds_reps") >= 0 ? csv_text(c2, i, "seconds_reps") : "");
        int n = 0;
        for (char *save = NULL, *w = strtok_r(list, ";", &save); w && n < max; w = strtok_r(NULL, ";", &save)) {
            char *end;
            double x = strtod(w, &end);
            if (end != w && !*end && x > 0)
                reps[n++] = x;
        }
        return n;
    }
    return 0;
}

/* C2: the documents' own benchmark (c2.csv). Their 4.5x holds if real
 * copy-on-write (fork_cow or mprotect_cow) on their workload is surely that
 * much faster than the deep copy; beside it, their own script's two
 * variants, which both copy every int: no copy-on-write to measure. */
static void judge_c2(const struct csv *c2, struct claim *c)
{
    static double reps[4][REPS];
    double med[4];
    int n[4];
    static const char *const variant[] = {"deep_copy", "simulated_cow", "fork_cow", "mprotect_cow"};
    for (int k = 0; k < 4; k++)
        n[k] = c2_variant(c2, variant[k], &med[k], reps[k], REPS);
    if (isnan(med[0]) || (isnan(med[2]) && isnan(med[3])))
        return judge_say(c, VERDICT_NA, "c2.csv is missing, or holds no real copy-on-write: run `make bench`");
    char text[2][160];
    int above = 0, below = 0;
    for (int k = 2; k < 4; k++) {
        struct interval x = n[0] && n[k] ? interval_ratio(reps[0], n[0], reps[k], n[k])
                                         : (struct interval){med[0] / med[k], NA, NA};
        enum side side = judge_side(c, x, T.c2_claimed, -1, -1);
        above += side == SIDE_ABOVE, below += side == SIDE_BELOW;
        char r[96];
        snprintf(text[k - 2], sizeof text[0], "%s %.1f ms: %s", variant[k], med[k] * 1e3,
                 judge_show(x, "%.1fx", r, sizeof r));
    }
    enum verdict v = above ? VERDICT_HOLDS : below == 2 ? VERDICT_NOT : VERDICT_INCONCLUSIVE;
    char said[64];
    snprintf(said, sizeof said, v == VERDICT_HOLDS ? ": at least the documents' %.1fx"
                                : v == VERDICT_NOT ? ": both surely under %.1fx"
                                                   : ": not surely either side of %.1fx", T.c2_claimed);
    judge_say(c, v, "the deep copy (%.1f ms) over real copy-on-write on the documents' workload: %s; %s%s. Beside it, "
              "the documents' own script measures no copy-on-write: both of its variants copy all 10,000,000 ints "
              "(deep copy %.1f ms, the \"simulated\" version %.1f ms: %.2fx)%s",
              med[0] * 1e3, text[0], text[1], said, med[0] * 1e3, med[1] * 1e3, med[0] / med[1],
              n[0] ? "" : " (an older c2.csv, with no repetitions: no interval)");
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
        for (int i = 0; i < x.nstraddling; i++) /* more repetitions there may move `after` or `by` */
            judge_side(c, (struct interval){1, NA, NA}, 1, x.straddling[i], -1);
        holds += !is_na(x.by);
        undecided += is_na(x.by) && x.undecided_at_top;
        char text[400];
        crossover_text(cows[k], &x, T.c4_almost_every, text, sizeof text);
        len += (size_t)snprintf(all + len, sizeof all - len, "%s%s", len ? "; " : "", text);
    }
    if (!measured)
        return judge_say(c, VERDICT_NA, "the write-fraction sweep was not measured");
    judge_say(c, holds ? VERDICT_HOLDS : undecided ? VERDICT_INCONCLUSIVE : VERDICT_NOT, "%s", all);
}

/* C8: transparent huge pages and copy-on-write, decided by pages copied */
static void judge_c8(const struct run_folder *run, struct claim *c)
{
    long never = run_find(run, GROUP_THP, "fork_cow", NULL, "thp=never");
    long always = run_find(run, GROUP_THP, "fork_cow", NULL, "thp=always");
    struct interval pages = ratio_of(run, always, "pages_copied", never, "pages_copied");
    struct interval time = ratio_of(run, always, "wall_ns", never, "wall_ns");
    if (is_na(pages.value))
        return judge_say(c, VERDICT_NA, "the THP cells were not measured");
    if (strstr(run_meta(run, "transparent huge pages"), "[never]"))
        return judge_say(c, VERDICT_NA, "transparent huge pages are off system-wide here ([never]): madvise cannot "
                                  "turn them on, so the comparison is empty");
    double huge = run_median(run, always, "anon_huge_kib");
    if (!(huge > 0))
        return judge_say(c, VERDICT_NA, "with --thp always no memory was backed by huge pages (AnonHugePages 0): the "
                                  "comparison is empty on this machine");
    char p[128], t[128];
    judge_show(pages, "%.2fx", p, sizeof p);
    judge_show(time, "%.2fx", t, sizeof t);
    enum side side = judge_side(c, pages, T.c8_ratio, never, always);
    if (side == SIDE_ABOVE)
        return judge_say(c, VERDICT_HOLDS, "random 1%% writes through fork_cow copied %s the pages with huge pages as "
                                     "without (time: %s)", p, t);
    if (side == SIDE_STRADDLES)
        return judge_say(c, VERDICT_INCONCLUSIVE, "fork_cow copied %s the pages with huge pages as without, which cannot "
                                            "be told from %gx (time: %s)", p, T.c8_ratio, t);
    judge_say(c, VERDICT_NOT,
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
    judge_c9(run, &out[8]);
}
