/*
 * targets.c - the performance goals set by the suite's issues, each with
 * the figure of this run that decides it. The goals are written once, in
 * the table below.
 */
#include "targets.h"

#include <math.h>
#include <string.h>

#include "groups.h"
#include "harness.h"
#include "plan.h"
#include "tax.h"

enum target_id { T_BS_CHURN, T_BS_REFERENCE, T_BS_SCALING, T_LF_LOSS, T_LF_WAIT, T_MPROTECT_FAULT, T_UFFD_FAULT,
                 T_UFFD_ASYNC_FAULT, T_TAX_1, T_TAX_ALL, T_HARNESS, T_COUNT };

static const struct target {
    const char *what;
    double goal;
    bool at_least;
    const char *unit;
    /* decided on an interval: met only when its far end is inside this too (0: on the figure alone) */
    double ceiling;
} targets[T_COUNT] = {
    [T_BS_CHURN] = {.what = "block_suballoc churn ops/s over system_malloc's, 1 thread", .goal = 2.5,
                    .at_least = true, .unit = "x"},
    [T_BS_REFERENCE] = {.what = "block_suballoc churn ops/s over the best reference allocator's, 1 thread",
                        .goal = 1.0, .at_least = true, .unit = "x"},
    [T_BS_SCALING] = {.what = "block_suballoc churn ops/s, 2 threads over 1 thread", .goal = 1.8, .at_least = true,
                      .unit = "x"},
    [T_LF_LOSS] = {.what = "locked_freelist churn ops/s, 2 threads over 1 thread (the loss should show)",
                   .goal = 1.0, .at_least = false, .unit = "x"},
    [T_LF_WAIT] = {.what = "locked_freelist threads off-CPU at 2 threads, blocked on the lock (visible)", .goal = 1.0,
                   .at_least = true, .unit = "%"},
    [T_MPROTECT_FAULT] = {.what = "mprotect_cow cost per written page over its floor (SIGSEGV + mprotect + the "
                                  "COW fault of a private memfd page, a bare loop; interval: min-max of 5 paired rounds)",
                          .goal = 1.10, .at_least = false, .unit = "x", .ceiling = 1.20},
    [T_UFFD_FAULT] = {.what = "uffd_cow mode=sigbus cost per written page over its floor (the COW fault + SIGBUS + "
                              "UFFDIO_WRITEPROTECT, a bare loop; interval: min-max of 5 paired rounds)",
                      .goal = 1.10, .at_least = false, .unit = "x", .ceiling = 1.20},
    [T_UFFD_ASYNC_FAULT] = {.what = "uffd_cow mode=async cost per written page over its floor (the COW fault with "
                                    "WP_ASYNC, a bare loop; interval: min-max of 5 paired rounds)",
                            .goal = 1.10, .at_least = false, .unit = "x", .ceiling = 1.20},
    [T_TAX_1] = {.what = "system_malloc through liballoclab.so over as packaged (glibc), alloclab-server's wall time, "
                         "1 thread (met: the 95% interval's upper end under 1.10x too; not met: its lower end over "
                         "1.05x)",
                 .goal = 1.05, .at_least = false, .unit = "x", .ceiling = 1.10},
    [T_TAX_ALL] = {.what = "the same, a thread on every processing unit",
                   .goal = 1.05, .at_least = false, .unit = "x", .ceiling = 1.10},
    [T_HARNESS] = {.what = "harness cost", .goal = 1.05, .at_least = false, .unit = "x", .ceiling = 1.10},
};

static void target_line(FILE *f, const struct target *t, double measured)
{
    const char *verdict = isnan(measured)                                           ? "NA (not measured)"
                          : (t->at_least ? measured >= t->goal : measured <= t->goal) ? "met"
                                                                                      : "not met";
    fprintf(f, "| %s |", t->what);
    if (isnan(measured))
        fputs(" NA |", f);
    else
        fprintf(f, " %.2f%s |", measured, t->unit);
    fprintf(f, " %s %.2f%s | %s |\n", t->at_least ? ">=" : "<=", t->goal, t->unit, verdict);
}

/* A target decided on an interval: met when the median is within the goal
 * and the interval's far end within the ceiling; not met when even its near
 * end is past the goal; inconclusive between the two (a noisy run). */
static void target_interval_line(FILE *f, const struct target *t, struct interval x, const char *note)
{
    char measured[96], verdict[96];
    tax_text(x, measured, sizeof measured);
    bool within = t->at_least ? x.value >= t->goal : x.value <= t->goal;
    double far = t->at_least ? x.lo : x.hi, near = t->at_least ? x.hi : x.lo;
    if (isnan(x.value))
        snprintf(verdict, sizeof verdict, "NA (not measured)");
    else if (isnan(far) || isnan(near))
        snprintf(verdict, sizeof verdict, "inconclusive (too few repetitions for an interval)");
    else if (within && (t->at_least ? far > t->ceiling : far < t->ceiling))
        snprintf(verdict, sizeof verdict, "met");
    else if (t->at_least ? near < t->goal : near > t->goal)
        snprintf(verdict, sizeof verdict, "not met");
    else
        snprintf(verdict, sizeof verdict, "inconclusive (the interval spans %.3f to %.3f%s)", x.lo, x.hi, t->unit);
    fprintf(f, "| %s%s | %s | %s %.2f%s, interval %s %.2f%s | %s |\n", t->what, note, measured,
            t->at_least ? ">=" : "<=", t->goal, t->unit, t->at_least ? "above" : "under", t->ceiling, t->unit,
            verdict);
}

/* the preload library's cost on the server, at 1 thread and at the most threads the run has */
static void tax_targets(FILE *f, const struct run_folder *run)
{
    double workers[64];
    int n = run_values(run, GROUP_PROGRAMS, "workers", workers, 64);
    int all = n ? (int)workers[n - 1] : 1;
    char note[64];
    target_interval_line(f, &targets[T_TAX_1], tax_ratio(run, PLAN_BASELINE, "server", 1), "");
    snprintf(note, sizeof note, " (%d thread%s)", all, all == 1 ? "" : "s");
    target_interval_line(f, &targets[T_TAX_ALL], tax_ratio(run, PLAN_BASELINE, "server", all), note);
}

/* One line per heap group with a plain-loop control: its costliest cell. */
static void harness_targets(FILE *f, const struct run_folder *run)
{
    struct harness_cell worst[16];
    int n = harness_worst_per_group(run, worst, 16);
    for (int i = 0; i < n; i++) {
        char note[1024];
        snprintf(note, sizeof note, ", %s (%s): system_malloc's time over the plain loop's, the costliest of %d "
                 "cells (%s)", worst[i].group, csv_text(&run->summary, (size_t)worst[i].plain_row, "workload"),
                 worst[i].cells, worst[i].settings);
        target_interval_line(f, &targets[T_HARNESS], worst[i].cost, note);
    }
}

/* Each user-space copy-on-write strategy over its own floor (calibrate.csv). */
static void floor_targets(FILE *f, const struct run_folder *run)
{
    static const struct {
        enum target_id id;
        const char *ratio;
    } floors[] = {{T_MPROTECT_FAULT, "mprotect_cow_over_floor"}, {T_UFFD_FAULT, "uffd_cow_over_floor"},
                  {T_UFFD_ASYNC_FAULT, "uffd_cow_async_over_floor"}};
    for (size_t i = 0; i < sizeof floors / sizeof floors[0]; i++)
        target_interval_line(f, &targets[floors[i].id], run_calibrated_interval(run, floors[i].ratio), "");
}

static double churn(const struct run_folder *run, const char *strategy, int threads, const char *figure)
{
    char where[32];
    snprintf(where, sizeof where, "workers=%d", threads);
    return run_median(run, run_find(run, GROUP_CHURN, strategy, NULL, where), figure);
}

/* the reference allocator (jemalloc, mimalloc, tcmalloc) with the most churn ops/s at 1 thread, or NULL */
static const char *best_reference(const struct run_folder *run, double *ops)
{
    const char *best = NULL;
    *ops = NA;
    for (size_t i = 0; allocator_registry[i]; i++) {
        const struct allocator *a = allocator_registry[i];
        double x = (a->promises & ALLOC_REFERENCE) ? churn(run, a->name, 1, "ops_per_sec") : NA;
        if (!isnan(x) && (isnan(*ops) || x > *ops)) {
            *ops = x;
            best = a->name;
        }
    }
    return best;
}

void targets_write(FILE *f, const struct run_folder *run)
{
    fputs("| target | measured | goal | verdict |\n|---|---|---|---|\n", f);
    double bs1 = churn(run, "block_suballoc", 1, "ops_per_sec"), bs2 = churn(run, "block_suballoc", 2, "ops_per_sec");
    double sm1 = churn(run, PLAN_BASELINE, 1, "ops_per_sec");
    double lf1 = churn(run, "locked_freelist", 1, "ops_per_sec"), lf2 = churn(run, "locked_freelist", 2, "ops_per_sec");
    double kernel = run_calibrated(run, "kernel_cow_fault");
    target_line(f, &targets[T_BS_CHURN], bs1 / sm1);
    double ref1;
    const char *ref = best_reference(run, &ref1);
    target_line(f, &targets[T_BS_REFERENCE], bs1 / ref1);
    target_line(f, &targets[T_BS_SCALING], bs2 / bs1);
    target_line(f, &targets[T_LF_LOSS], lf2 / lf1);
    target_line(f, &targets[T_LF_WAIT], 100 * churn(run, "locked_freelist", 2, "off_cpu_share"));
    floor_targets(f, run);
    tax_targets(f, run);
    harness_targets(f, run);
    if (ref)
        fprintf(f, "\nThe best reference allocator at 1 thread was %s, at %.3g ops/s (system_malloc %.3g, "
                   "block_suballoc %.3g).\n", ref, ref1, sm1, bs1);
    double floor_ops = run_calibrated(run, "churn_floor");
    if (!isnan(floor_ops) && !isnan(sm1))
        fprintf(f, "\nThe ceiling of the first target: churn on a heap that does nothing but pop and push a "
                   "per-thread list (`churn_floor` in calibrate.csv) reaches %.2fx system_malloc's ops/s here; "
                   "block_suballoc reaches %.0f%% of that floor.\n",
                floor_ops / sm1, 100 * bs1 / floor_ops);
    double segv = run_calibrated(run, "segv_mprotect_round_trip"), trip = run_calibrated(run, "uffd_wp_round_trip");
    if (!isnan(kernel) && !isnan(segv) && !isnan(trip))
        fprintf(f, "\nThe fault targets are each strategy over its own floor: the kernel work its first write to a "
                   "page cannot avoid, in a bare loop with no bookkeeping (`*_floor` and `*_over_floor` in "
                   "calibrate.csv; the interval is the min and max of the ratio over the calibration's rounds, each "
                   "round's strategy over the same round's floor). Over the kernel's own COW fault (a forked child's) "
                   "no user-space design can come near: here SIGSEGV + mprotect alone costs %.2fx it, and SIGBUS + "
                   "UFFDIO_WRITEPROTECT %.2fx. fork_cow has no fault target: its first write is the kernel's own COW "
                   "fault, and it adds nothing to it to measure (its cost is the fork, in fork_cost).\n",
                segv / kernel, trip / kernel);
    fputs("\nThe harness cost targets: system_malloc's cell over the plain-loop control in the same group "
          "(the report's harness cost section lists every cell).\n", f);
    const char *profile = run_meta(run, "profile");
    long row = run_find(run, GROUP_CHURN, "block_suballoc", NULL, "workers=1");
    if (row >= 0 && strcmp(profile, "default") && strcmp(profile, "full"))
        fprintf(f, "\nThe churn targets are set on the default profile. The %s profile churns %s operations a "
                   "thread, so a fresh heap's start-up (page faults, cold caches) weighs more, and more for the "
                   "faster heap: on the reference machine block_suballoc's ratio to system_malloc read 0.1x to "
                   "0.2x lower in the quick profile than in the default one.\n",
                profile, csv_text(&run->summary, (size_t)row, "ops"));
}
