/*
 * C7 - block sub-allocation gives "predictable latency, minimal
 * fragmentation".
 *
 * Judged at every window of churn's window sweep (group frag: live sets
 * from a heap's first slab to many of its reservation units), each figure
 * named per window: block_suballoc's p99.9 of allocations, its p99.9 of
 * frees and its fragmentation (peak reserved over peak live), each over the
 * best other heap's at that window, with its interval. Within the margin
 * when the interval is wholly under it, beyond when wholly at or over it.
 *
 * A latency is read from the 1-thread churn cell with the most operations
 * at that window (the churn group's, where it has that window: ten times
 * the samples of the sweep's), against the other heaps' in the same group;
 * one under two steps of the timer is set aside (resolution.h) and the
 * verdict rests on the rest. Latency holds when every comparison left is
 * within, fails when one is surely beyond; space the same over the windows.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "groups.h"
#include "judges.h"
#include "resolution.h"
#include "strategy_names.h"

#define MAX_WINDOWS 8
#define BLOCK STRATEGY_BLOCK_SUBALLOC

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "holds if, at every window, both p99.9 latencies (allocation, free) and the fragmentation are "
                       "within %.0f%% of the best other heap's (the ratio's interval wholly under %.2fx); holds only "
                       "when latency (both kinds, every window) or space (every window) is; a latency under two steps "
                       "of the timer is set aside and the verdict rests on the rest%s",
             100 * (c->threshold - 1), c->threshold, CLAIM_INTERVAL_RULE);
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "it would hold on every window's three ratios wholly under %.2fx; it would fail on one latency "
                       "and one fragmentation wholly at or over %.2fx at some window (one of the two alone: holds only "
                       "when)",
             c->threshold, c->threshold);
}

enum part { PART_NONE, PART_HOLDS, PART_NOT, PART_UNDECIDED };

/* The heap other than block_suballoc with the smallest median figure among
 * the cells of a group that match `where`, or -1. */
static long best_other(const struct run_folder *run, const char *group, const char *where, const char *figure)
{
    const char *eager[RUN_MAX_STRATEGIES];
    int neager = run_strategies(run, KIND_EAGER, eager, RUN_MAX_STRATEGIES);
    long best = -1;
    for (int k = 0; k < neager; k++) {
        long r = strcmp(eager[k], BLOCK) ? run_find(run, group, eager[k], "churn", where) : -1;
        if (r >= 0 && !isnan(run_median(run, r, figure)) &&
            (best < 0 || run_median(run, r, figure) < run_median(run, best, figure)))
            best = r;
    }
    return best;
}

/* block_suballoc's 1-thread churn cell at a window with the most operations
 * (the most latency samples), in the churn or the frag group; -1 if none. */
static long latency_row(const struct run_folder *run, double window)
{
    static const char *const groups[] = {GROUP_CHURN, GROUP_FRAG};
    char where[64];
    snprintf(where, sizeof where, "workers=1 window=%.0f", window);
    long best = -1;
    for (int g = 0; g < 2; g++) {
        long r = run_find(run, groups[g], BLOCK, "churn", where);
        if (r >= 0 && (best < 0 || csv_num(&run->summary, (size_t)r, "ops") >
                                       csv_num(&run->summary, (size_t)best, "ops")))
            best = r;
    }
    return best;
}

/* A memory figure of row a over row b's. A heap on a library measures its
 * fragmentation once, in the untimed memory pass (rep 0): one value by
 * design, for a seeded workload whose operations are the same every time,
 * so it is taken as exact and the interval is the other cell's alone. */
static struct interval memory_ratio(const struct run_folder *run, long a, long b, const char *figure)
{
    static double va[256], vb[256];
    int na = run_reps(run, a, figure, va, 256), nb = run_reps(run, b, figure, vb, 256);
    if (!na || !nb)
        return (struct interval){NA, NA, NA};
    if (na == 1 && nb == 1)
        return (struct interval){va[0] / vb[0], va[0] / vb[0], va[0] / vb[0]};
    if (nb == 1)
        return interval_ratio_to(va, na, vb[0]);
    if (na == 1) { /* a / median(b): b's interval, turned over */
        struct interval x = interval_ratio_to(vb, nb, va[0]);
        return (struct interval){1 / x.value, 1 / x.hi, 1 / x.lo};
    }
    return interval_ratio(va, na, vb, nb);
}

/* Fold one comparison's outcome (1 within, 0 beyond, -1 across) into a part. */
static void fold(enum part *p, int outcome)
{
    if (outcome == 0)
        *p = PART_NOT;
    else if (outcome < 0 && *p != PART_NOT)
        *p = PART_UNDECIDED;
    else if (outcome > 0 && *p == PART_NONE)
        *p = PART_HOLDS;
}

/* One figure at one window against the best other heap in row b's group:
 * its text appended to buf, its outcome folded into *p (latencies under two
 * steps of the timer set aside). */
static void compare(const struct run_folder *run, struct judgement *c, long b, const char *figure, const char *what,
                    bool latency, enum part *p, char *buf, size_t len)
{
    const char *group = csv_text(&run->summary, (size_t)b, "group");
    char where[96], x[128];
    snprintf(where, sizeof where, "workers=1 window=%s ops=%s", csv_text(&run->summary, (size_t)b, "window"),
             csv_text(&run->summary, (size_t)b, "ops"));
    long other = best_other(run, group, where, figure);
    struct interval r = latency ? run_ratio(run, b, figure, other, figure) : memory_ratio(run, b, other, figure);
    size_t used = strlen(buf);
    if (is_na(r.value)) {
        snprintf(buf + used, len - used, "; %s NA", what);
        return;
    }
    judge_show(r, "%.2fx", x, sizeof x);
    const char *fmt = latency ? "; %s %.0f against %s's %.0f ns, %s" : "; %s %.2f against %s's %.2f, %s";
    used += (size_t)snprintf(buf + used, len - used, fmt, what, run_median(run, b, figure),
                             csv_text(&run->summary, (size_t)other, "strategy"), run_median(run, other, figure), x);
    if (latency && !(run_latency_resolvable(run, b, figure) && run_latency_resolvable(run, other, figure))) {
        snprintf(buf + used, len - used, " (" NOT_RESOLVABLE ": set aside)");
        return;
    }
    enum side side = judge_side(c, r, c->claim->threshold, b, other);
    fold(p, side == SIDE_BELOW ? 1 : side == SIDE_ABOVE ? 0 : -1);
}

/* Every figure at one window; its text appended to buf. */
static void judge_window(const struct run_folder *run, struct judgement *c, double window, enum part *lat,
                         enum part *space, char *buf, size_t len)
{
    char where[64];
    snprintf(where, sizeof where, "workers=1 window=%.0f", window);
    long frag = run_find(run, GROUP_FRAG, BLOCK, "churn", where), lat_row = latency_row(run, window);
    size_t used = strlen(buf);
    used += (size_t)snprintf(buf + used, len - used, "%sat %.0f live blocks", used ? ". " : "", window);
    if (frag >= 0 && used < len)
        snprintf(buf + used, len - used, " (%.1f MiB live)", run_median(run, frag, "live_peak_kib") / 1024);
    if (lat_row >= 0) {
        compare(run, c, lat_row, "alloc_p999_ns", "allocation p99.9", true, lat, buf, len);
        compare(run, c, lat_row, "free_p999_ns", "free p99.9", true, lat, buf, len);
    }
    if (frag >= 0)
        compare(run, c, frag, "fragmentation", "fragmentation", false, space, buf, len);
}

static enum verdict verdict_of(enum part lat, enum part space)
{
    if (lat == PART_UNDECIDED || space == PART_UNDECIDED)
        return VERDICT_INCONCLUSIVE;
    if (lat == PART_NONE || space == PART_NONE) /* one part set aside: the other decides */
        return (lat == PART_NONE ? space : lat) == PART_HOLDS ? VERDICT_HOLDS : VERDICT_NOT;
    if (lat == space)
        return lat == PART_HOLDS ? VERDICT_HOLDS : VERDICT_NOT;
    return VERDICT_ONLY_WHEN;
}

static void judge(const struct run_folder *run, struct judgement *c)
{
    double windows[MAX_WINDOWS];
    int nw = run_values(run, GROUP_FRAG, "window", windows, MAX_WINDOWS);
    char all[sizeof c->detail] = "";
    enum part lat = PART_NONE, space = PART_NONE;
    for (int i = 0; i < nw; i++)
        judge_window(run, c, windows[i], &lat, &space, all, sizeof all);
    if (!nw || space == PART_NONE)
        return judge_say(c, VERDICT_NA, "churn's window sweep (group frag) was not measured on block_suballoc and "
                                        "another heap");
    enum verdict v = verdict_of(lat, space);
    const char *lead = lat == PART_NONE ? "every latency " NOT_RESOLVABLE ", the verdict rests on fragmentation: "
                       : v == VERDICT_INCONCLUSIVE ? "an interval crosses the margin: "
                       : v == VERDICT_ONLY_WHEN && lat == PART_HOLDS ? "latency is what counts, not space: "
                       : v == VERDICT_ONLY_WHEN ? "space is what counts, not latency: "
                                                : "";
    judge_say(c, v, "%s%s", lead, all);
}

const struct claim claim_C7 = {
    .name = "C7",
    .quote = "block sub-allocation gives \"predictable latency, minimal fragmentation\"",
    .experiment = "churn at 1 thread over a window sweep (group frag: live sets from a heap's first slab to many of "
                  "its reservation units): at every window, block_suballoc's p99.9 latency of allocations, of frees "
                  "(from the 1-thread churn cell with the most operations there) and its fragmentation (peak reserved "
                  "over peak live), each against the best other heap's at that window",
    .figure = "fig_e_churn_latency",
    .reads = {GROUP_FRAG, GROUP_CHURN},
    .threshold = 1.1, /* within this factor of the best other heap */
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "Latencies are sampled over the whole run with fenced stamps, the mean cost of a stamp pair taken "
               "out; the timer moves in steps, and a p99.9 under two of them is compared with nothing (" NOT_RESOLVABLE
               "). A small live set measures a heap's first arena or slab, not its algorithm, and a large one its "
               "algorithm: every window is judged and named. The sweep's cells run fewer operations than the churn "
               "group's, so their p99.9 rests on fewer samples.",
};
