/*
 * C3 - "lock contention can account for up to 30% of total CPU time",
 * reported as a finding with no verdict: as the suite measures it, its
 * outcome follows from the experiment's design, so a verdict would say
 * nothing. What was measured is still given, with its interval.
 *
 * An allocation-only loop on one mutex is the worst case any workload can
 * show, and "up to" names no workload; any share from 0 to that ceiling is
 * "up to" on some workload, so the loop cannot fail it. The finding is the
 * ceiling on this machine: the share of CPU time lost (1 - operations per
 * CPU-second at the most threads over at 1).
 */
#include <stdio.h>

#include "groups.h"
#include "judges.h"
#include "strategy_names.h"

#define REPS 256

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "none: a finding, no verdict. On an allocation-only loop no result could fail \"up to %.0f%%\" "
                       "(any share lost, 0 to 100%%, is up to something), so the share of CPU time lost (1 - ops per "
                       "CPU-second at the most threads over at 1) is reported as this machine's ceiling, with its "
                       "interval",
             100 * c->threshold);
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    (void)c;
    snprintf(buf, len, "no result of this loop could fail it: any share of CPU time lost, 0 to 100%%, is \"up to\" "
                       "something; a verdict would need a workload doing work between allocations, with the share of "
                       "its CPU time in the lock measured");
}

/* ops per CPU-second of each repetition of a churn cell; how many (0: no task clock) */
static int ops_per_cpu_second(const struct run_folder *run, long row, double *out)
{
    static double cpu[REPS];
    int n = run_reps(run, row, "ops_done", out, REPS), m = run_reps(run, row, "task_clock_ns", cpu, REPS);
    if (n != m)
        return 0;
    for (int i = 0; i < n; i++)
        out[i] = out[i] / (cpu[i] / 1e9);
    return n;
}

static void judge(const struct run_folder *run, struct judgement *c)
{
    const char *lf = STRATEGY_LOCKED_FREELIST;
    long one = run_find(run, GROUP_CHURN, lf, "churn", "workers=1"), most = -1;
    for (int t = 2; t <= 1024; t++) {
        char where[32];
        snprintf(where, sizeof where, "workers=%d", t);
        long row = run_find(run, GROUP_CHURN, lf, "churn", where);
        most = row >= 0 ? row : most;
    }
    static double a[REPS], b[REPS];
    int na = ops_per_cpu_second(run, most, a), nb = ops_per_cpu_second(run, one, b);
    if (!na || !nb)
        return judge_say(c, VERDICT_NA, "churn on locked_freelist at 1 and at 2 or more threads, with a task clock, "
                                        "was not measured");
    struct interval kept = interval_ratio(a, na, b, nb);
    char l[128];
    judge_show((struct interval){100 * (1 - kept.value), 100 * (1 - kept.hi), 100 * (1 - kept.lo)}, "%.0f%%", l,
               sizeof l);
    judge_say(c, VERDICT_FINDING,
              "an allocation-only loop on one lock is the worst case, and \"up to %.0f%%\" names no workload it "
              "could fail on. The ceiling here: at %.0f threads locked_freelist did %s fewer "
              "operations per CPU-second than at 1, CPU time lost to contention (spinning, the lock's cache line "
              "moving between cores, wake-ups); beside it, the threads were off a CPU %.0f%% of threads x wall "
              "time (any off-CPU time: blocked on the lock, or waiting for a CPU), and %.2f%% of the operations "
              "found the lock taken",
              100 * c->claim->threshold, csv_num(&run->summary, (size_t)most, "workers"), l,
              100 * run_median(run, most, "off_cpu_share"), 100 * run_median(run, most, "lock_contended_share"));
}

const struct claim claim_C3 = {
    .name = "C3",
    .quote = "\"lock contention can account for up to 30% of total CPU time\"",
    .experiment = "churn on locked_freelist at 1..PUs threads: operations per CPU-second (task clock) against 1 "
                  "thread, with the time off a CPU (any: blocked, or waiting for one) and the share of operations "
                  "that found the lock taken beside it",
    .figure = "fig_d_churn_scaling",
    .reads = {GROUP_CHURN},
    .threshold = 0.30, /* "up to 30%": the share the documents name, not a threshold */
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "CPU time includes spinning and the unlock's wake-ups; off-CPU time is any time off a CPU, blocked on "
               "the lock or waiting for one. The lock is not timed (a clock read while holding it would lengthen "
               "every hold). Two cores bound the contention this machine can show. A verdict would need a workload "
               "that does work between allocations, with the share of its CPU time in the lock measured: not this "
               "loop.",
};
