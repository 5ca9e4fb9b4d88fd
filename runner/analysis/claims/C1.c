/*
 * C1 - "order-of-magnitude speedups for read-heavy workloads".
 *
 * read_heavy over lookups per copy (group lookups): the best copy-on-write
 * strategy against the best eager copy, wall time, at each count of lookups
 * per copy. An order of magnitude holds where the interval is wholly at or
 * over it.
 */
#include <stdio.h>

#include "groups.h"
#include "judges.h"
#include "lookups.h"

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "holds if the best eager strategy's wall time is >= %gx the best copy-on-write strategy's at "
                       "every count of lookups per copy; holds only with few lookups if it is up to some count and is "
                       "not from a larger one; does not hold if it is at none%s",
             c->threshold, CLAIM_INTERVAL_RULE);
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "it would hold on the best eager copy's time over the best copy-on-write strategy's wholly at "
                       "or over %gx at every count of lookups per copy; it would fail on that ratio wholly under %gx "
                       "at every count",
             c->threshold, c->threshold);
}

/* "at 1000 lookups: block_suballoc 290 ms / fork_cow 16 ms = 18.1x [...]" */
static size_t point_text(const struct run_folder *run, const struct lookups_point *p, char *buf, size_t len)
{
    char x[128];
    judge_show(p->speedup, "%.1fx", x, sizeof x);
    return (size_t)snprintf(buf, len, "at %.0f lookups per copy %s %.0f ms / %s %.0f ms = %s", p->reads,
                            judge_strategy(run, p->eager), run_median(run, p->eager, "wall_ns") / 1e6,
                            judge_strategy(run, p->cow), run_median(run, p->cow, "wall_ns") / 1e6, x);
}

static void judge(const struct run_folder *run, struct judgement *c)
{
    double speedup = c->claim->threshold;
    struct lookups_point p[LOOKUPS_MAX_POINTS];
    int n = lookups_points(run, p), above = 0, below = 0, last_above = -1, first_below = -1;
    if (!n)
        return judge_say(c, VERDICT_NA, "read_heavy's lookups sweep was not measured for both kinds of strategy");
    char all[sizeof c->detail];
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof all; i++) {
        enum side side = judge_side(c, p[i].speedup, speedup, p[i].eager, p[i].cow);
        above += side == SIDE_ABOVE, below += side == SIDE_BELOW;
        last_above = side == SIDE_ABOVE ? i : last_above;
        first_below = side == SIDE_BELOW && first_below < 0 ? i : first_below;
        len += point_text(run, &p[i], all + len, sizeof all - len);
        len += (size_t)snprintf(all + len, sizeof all - len, "%s", i + 1 < n ? "; " : "");
    }
    struct lookups_split s = lookups_split(run, p[n - 1].cow, p[n - 1].control);
    char split[200];
    snprintf(split, sizeof split, ". At %.0f, %s's %.0f ms over the control: %.1f provisioning, %.0f deferred "
             "(first accesses, copies); the lookups alone %.0f ms", p[n - 1].reads, judge_strategy(run, p[n - 1].cow),
             s.over, s.provision, s.deferred, s.lookups);
    if (above == n)
        return judge_say(c, VERDICT_HOLDS, "an order of magnitude at every count measured: %s%s", all, split);
    if (below == n)
        return judge_say(c, VERDICT_NOT, "under %gx at every count measured: %s%s", speedup, all, split);
    if (above && below && last_above < first_below)
        return judge_say(c, VERDICT_ONLY_WHEN, "with few lookups per copy: %gx or more up to %.0f lookups, less from "
                   "%.0f: %s%s", speedup, p[last_above].reads, p[first_below].reads, all, split);
    judge_say(c, VERDICT_INCONCLUSIVE, "the intervals cannot be told from %gx where it matters: %s%s", speedup, all,
        split);
}

const struct claim claim_C1 = {
    .name = "C1",
    .quote = "\"order-of-magnitude speedups for read-heavy workloads\"",
    .experiment = "read_heavy over lookups per copy on every strategy, and a control (the same lookups on the shared "
                  "original, no view): the best copy-on-write strategy's wall time against the best eager copy's at "
                  "each count",
    .figure = "fig_i_lookups",
    .reads = {GROUP_LOOKUPS},
    .threshold = 10, /* an order of magnitude: the best eager copy's time over the best copy-on-write's */
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "A worker forked per request serves few lookups from its snapshot, a long-lived one millions: the "
               "copy's cost is diluted by the lookups. fork_cow's fork counts as its provisioning; first accesses to "
               "inherited or aliased pages land in its work, beyond the control's (the report splits both).",
};
