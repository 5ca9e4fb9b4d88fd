/*
 * judge_findings.c - claims C3 and C5, reported as findings with no
 * verdict: as the suite measures them, their outcome follows from the
 * experiment's design, so a verdict would say nothing. What was measured is
 * still given, with its interval.
 *
 * C3, "lock contention can account for up to 30% of total CPU time": an
 * allocation-only loop on one mutex is the worst case any workload can
 * show, and "up to" names no workload; any share from 0 to that ceiling is
 * "up to" on some workload, so the loop cannot fail it. The finding is the
 * ceiling on this machine: the share of CPU time lost (1 - operations per
 * CPU-second at the most threads over at 1).
 *
 * C5, "physical memory consumption can spike dramatically" under
 * overcommit: the workers write every page of their views, so PSS must
 * reach (N+1) x S. The finding is how it got there, over every repetition,
 * and what strict overcommit would have said.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "groups.h"
#include "interval.h"
#include "judges.h"

#define T claim_thresholds
#define REPS 256

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

void judge_c3(const struct run_folder *run, struct claim *c)
{
    long one = run_find(run, GROUP_CHURN, "locked_freelist", "churn", "workers=1"), most = -1;
    for (int t = 2; t <= 1024; t++) {
        char where[32];
        snprintf(where, sizeof where, "workers=%d", t);
        long row = run_find(run, GROUP_CHURN, "locked_freelist", "churn", where);
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
              100 * T.c3_claimed, csv_num(&run->summary, (size_t)most, "workers"), l,
              100 * run_median(run, most, "off_cpu_share"), 100 * run_median(run, most, "lock_contended_share"));
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
        if (strcmp(csv_text(tl, i, "strategy"), "fork_cow") || strcmp(csv_text(tl, i, "workload"), "overcommit"))
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

void judge_c5(const struct csv *tl, struct claim *c)
{
    static double start[REPS], end[REPS];
    double size = NAN, workers = NAN;
    int refused, n = overcommit_reps(tl, start, end, &size, &workers, &refused);
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
