/*
 * C5 - "physical memory consumption can spike dramatically" under
 * overcommit, reported as a finding with no verdict: the workers write
 * every page of their views, so PSS must reach (N+1) x S. The finding is
 * how it got there, over every repetition, and what strict overcommit
 * would have said.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "groups.h"
#include "judges.h"
#include "strategy_names.h"

#define REPS 256

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    (void)c;
    snprintf(buf, len, "none: a finding, no verdict. The workers write every page, so PSS reaches (N+1) x S by "
                       "design and no result could fail the claim; PSS at the start and the end, over every "
                       "repetition, is reported, with what strict overcommit would have refused");
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    (void)c;
    snprintf(buf, len, "no result of this experiment could fail it: every page is written, so PSS reaches (N+1) x S; "
                       "a verdict would need writes that are not every page, weighed against what strict overcommit "
                       "would have charged");
}

/* fork_cow's overcommit repetitions in timeline.csv (each from its step 0):
 * PSS at the first and last sample of each, S and N, and in how many
 * strict overcommit would have refused a sample; how many repetitions */
static int overcommit_reps(const struct csv *tl, double *start, double *end, double *size, double *workers,
                           int *refused)
{
    int n = 0;
    bool this_refused = false;
    *refused = 0;
    for (size_t i = 0; i < tl->nrows; i++) {
        if (strcmp(csv_text(tl, i, "strategy"), STRATEGY_FORK_COW) ||
            strcmp(csv_text(tl, i, "workload"), "overcommit"))
            continue;
        if (csv_num(tl, i, "step") == 0) {
            if (n == REPS)
                break;
            *refused += this_refused, this_refused = false;
            start[n++] = csv_num(tl, i, "pss_sum_kib");
        }
        if (!n)
            continue;
        end[n - 1] = csv_num(tl, i, "pss_sum_kib");
        *size = csv_num(tl, i, "size_bytes") / 1024;
        *workers = csv_num(tl, i, "workers");
        this_refused |= !strcmp(csv_text(tl, i, "strict_overcommit_would_refuse"), "1");
    }
    *refused += this_refused;
    return n;
}

static void judge(const struct run_folder *run, struct judgement *c)
{
    static double start[REPS], end[REPS];
    double size = NAN, workers = NAN;
    int refused, n = overcommit_reps(&run->timeline, start, end, &size, &workers, &refused);
    if (!n)
        return judge_say(c, VERDICT_NA, "no overcommit timeline for fork_cow");
    struct interval s = interval_median(start, n), e = interval_median(end, n);
    char a[96], b[96];
    judge_show((struct interval){s.value / 1024, s.lo / 1024, s.hi / 1024}, "%.0f", a, sizeof a);
    judge_show((struct interval){e.value / 1024, e.lo / 1024, e.hi / 1024}, "%.0f", b, sizeof b);
    judge_say(c, VERDICT_FINDING,
              "the workers write every page of their views, so PSS must reach (N+1) x S whatever the machine. "
              "Measured over %d repetitions: fork_cow's PSS went from %s MiB (%.1f x S) to %s MiB (%.1f x "
              "S) as %g workers wrote; strict overcommit would have refused it in %d of them (it charges the whole "
              "writable size at fork)",
              n, a, s.value / size, b, e.value / size, workers, refused);
}

const struct claim claim_C5 = {
    .name = "C5",
    .quote = "\"physical memory consumption can spike dramatically\" under overcommit",
    .experiment = "overcommit: N workers take copy-on-write views of S bytes, then write them in steps; PSS is "
                  "sampled after each step (timeline.csv)",
    .figure = "fig_c_overcommit",
    .reads = {"timeline.csv"},
    .threshold = 0, /* a finding: no threshold */
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "PSS is summed over every process; RSS would count the shared pages N+1 times. Strict overcommit "
               "charges the whole writable size at fork, shared or not. A verdict would need an experiment whose "
               "writes are not every page, weighed against what strict overcommit would have charged: not this one.",
};
