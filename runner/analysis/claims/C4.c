/*
 * C4 - "if a workload writes to almost every shared page, the copy-on-write
 * penalty can outweigh its benefits".
 *
 * write_heavy over write fractions (group sweep): for each copy-on-write
 * strategy, the first fraction where it is surely no faster than the best
 * eager copy, as an interval (crossover.c).
 */
#include <stdio.h>

#include "crossover.h"
#include "groups.h"
#include "judges.h"

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "holds if, at some write fraction, copy-on-write is surely no faster than the best eager copy "
                       "(the ratio's interval wholly at or over 1; a bimodal cell only when every repetition lies on "
                       "one side of the other cell's); 'sooner than claimed' if that fraction is below %g; does not "
                       "hold if every copy-on-write strategy is surely faster at the largest fraction; inconclusive if "
                       "neither side is sure there%s",
             c->threshold, CLAIM_INTERVAL_RULE);
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    (void)c;
    snprintf(buf, len, "it would hold on one write fraction where a copy-on-write strategy's time over the best eager "
                       "copy's is wholly at or over 1; it would fail on every copy-on-write strategy wholly under 1 at "
                       "the largest fraction (still faster with every page written)");
}

static void judge(const struct run_folder *run, struct judgement *c)
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
        crossover_text(cows[k], &x, c->claim->threshold, text, sizeof text);
        len += (size_t)snprintf(all + len, sizeof all - len, "%s%s", len ? "; " : "", text);
    }
    if (!measured)
        return judge_say(c, VERDICT_NA, "the write-fraction sweep was not measured");
    judge_say(c, holds ? VERDICT_HOLDS : undecided ? VERDICT_INCONCLUSIVE : VERDICT_NOT, "%s", all);
}

const struct claim claim_C4 = {
    .name = "C4",
    .quote = "\"if a workload writes to almost every shared page, the copy-on-write penalty can outweigh its "
             "benefits\"",
    .experiment = "write_heavy over write fractions 0..1 on every strategy: the first fraction where copy-on-write is "
                  "no faster than the best eager copy",
    .figure = "fig_b_crossover",
    .reads = {GROUP_SWEEP},
    .threshold = 0.5, /* "almost every page" begins here */
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "Sequential writes; random order costs the eager copies nothing more but adds mappings for "
               "mprotect_cow.",
};
