/*
 * targets.c - the performance goals set by the suite's issues, each with
 * the figure of this run that decides it and that figure's interval. The
 * goals are written once, in the table below. A goal is met only when its
 * interval lies wholly on the met side, missed only when wholly on the
 * other; an interval across the goal is undecided, never "met".
 */
#include "targets.h"

#include <math.h>
#include <string.h>

#include "groups.h"
#include "harness.h"
#include "plan.h"
#include "strategy_names.h"
#include "tax.h"

#define BLOCK STRATEGY_BLOCK_SUBALLOC
#define LOCKED STRATEGY_LOCKED_FREELIST

enum target_id { T_BS_CHURN, T_BS_REFERENCE, T_BS_SCALING, T_LF_LOSS, T_LF_OFF_CPU, T_MPROTECT_FAULT, T_UFFD_FAULT,
                 T_UFFD_ASYNC_FAULT, T_TAX_1, T_TAX_ALL, T_HARNESS, T_COUNT };

#define RATIO "median over median, 95% bootstrap interval over both cells' repetitions"
#define PAIRED "the median of the ratios of repetitions run in the same round, 95% bootstrap interval over those pairs"
#define ROUNDS "median of the rounds' paired ratios, with their min and max"

static const struct target {
    const char *what;
    double goal;
    bool at_least;
    const char *unit;
    /* a goal on the median, met only when the interval's far end is also
     * within this (the harness and the preload library: issue 25's rule);
     * 0: met only when the whole interval meets the goal */
    double ceiling;
} targets[T_COUNT] = {
    [T_BS_CHURN] = {.what = BLOCK "'s churn ops/s over " PLAN_BASELINE "'s, 1 thread (" RATIO ")", .goal = 2.5,
                    .at_least = true, .unit = "x"},
    [T_BS_REFERENCE] = {.what = BLOCK "'s churn ops/s over the best reference allocator's, 1 thread (" RATIO
                                ")",
                        .goal = 1.0, .at_least = true, .unit = "x"},
    [T_BS_SCALING] = {.what = BLOCK "'s churn ops/s at 2 threads over at 1 thread (" RATIO ")", .goal = 1.8,
                      .at_least = true, .unit = "x"},
    [T_LF_LOSS] = {.what = LOCKED "'s churn ops/s at 2 threads over at 1 thread, the loss visible (" RATIO
                           ")",
                   .goal = 1.0, .at_least = false, .unit = "x"},
    [T_LF_OFF_CPU] = {.what = LOCKED "'s threads off a CPU at 2 threads, any off-CPU time (blocked on the "
                              "lock or waiting for a CPU: not the lock's share), visible (median, 95% bootstrap "
                              "interval over the repetitions)",
                      .goal = 1.0, .at_least = true, .unit = "%"},
    [T_MPROTECT_FAULT] = {.what = "mprotect_cow's cost per written page over its floor (SIGSEGV + mprotect + the COW "
                                  "fault of a private memfd page, a bare loop; " ROUNDS ")",
                          .goal = 1.10, .at_least = false, .unit = "x"},
    [T_UFFD_FAULT] = {.what = "uffd_cow mode=sigbus's cost per written page over its floor (the COW fault + SIGBUS + "
                              "UFFDIO_WRITEPROTECT, a bare loop; " ROUNDS ")",
                      .goal = 1.10, .at_least = false, .unit = "x"},
    [T_UFFD_ASYNC_FAULT] = {.what = "uffd_cow mode=async's cost per written page over its floor (the COW fault with "
                                    "WP_ASYNC, a bare loop; " ROUNDS ")",
                            .goal = 1.10, .at_least = false, .unit = "x"},
    [T_TAX_1] = {.what = PLAN_BASELINE " through liballoclab.so over as packaged (glibc), alloclab-server's wall time, "
                         "1 thread (" PAIRED ")",
                 .goal = 1.05, .at_least = false, .unit = "x", .ceiling = 1.10},
    [T_TAX_ALL] = {.what = "the same, a thread on every processing unit", .goal = 1.05, .at_least = false,
                   .unit = "x", .ceiling = 1.10},
    [T_HARNESS] = {.what = "harness cost", .goal = 1.05, .at_least = false, .unit = "x", .ceiling = 1.10},
};

enum target_state { TARGET_NA, TARGET_MET, TARGET_MISSED, TARGET_TOO_FEW, TARGET_STRADDLES };

/* A goal against a figure with its interval: met when the interval is
 * wholly on the met side, not met when wholly on the other, undecided
 * across it; NA without a figure, and undecided without an interval. */
static enum target_state target_state(const struct target *t, struct interval x)
{
    bool measured = !isnan(x.value), drawn = measured && !isnan(x.lo) && !isnan(x.hi);
    double edge = t->ceiling ? t->ceiling : t->goal; /* where the interval's far end must lie */
    bool median_in = t->at_least ? x.value >= t->goal : x.value <= t->goal;
    if (!measured)
        return TARGET_NA;
    if (!drawn)
        return TARGET_TOO_FEW;
    if (median_in && (t->at_least ? x.lo >= edge : x.hi <= edge))
        return TARGET_MET;
    if (t->at_least ? x.hi < t->goal : x.lo > t->goal)
        return TARGET_MISSED;
    return TARGET_STRADDLES;
}

static void target_line(FILE *f, const struct target *t, const char *what, struct interval x)
{
    static const char *const verdicts[] = {
        [TARGET_NA] = "NA (not measured)", [TARGET_MET] = "met", [TARGET_MISSED] = "not met",
        [TARGET_TOO_FEW] = "undecided (too few repetitions for an interval)",
        [TARGET_STRADDLES] = "undecided (the interval straddles the goal)"};
    enum target_state state = target_state(t, x);
    fprintf(f, "| %s |", what);
    if (state != TARGET_NA && state != TARGET_TOO_FEW)
        fprintf(f, " %.2f%s [%.2f-%.2f] |", x.value, t->unit, x.lo, x.hi);
    else if (state == TARGET_TOO_FEW)
        fprintf(f, " %.2f%s (too few repetitions for an interval) |", x.value, t->unit);
    else
        fputs(" NA |", f);
    char edge_text[64] = ", the whole interval";
    if (t->ceiling)
        snprintf(edge_text, sizeof edge_text, ", the interval's %s end %s %.2f%s", t->at_least ? "low" : "upper",
                 t->at_least ? "from" : "to", t->ceiling, t->unit);
    fprintf(f, " %s %.2f%s%s | %s |\n", t->at_least ? ">=" : "<=", t->goal, t->unit, edge_text, verdicts[state]);
}

static bool undecided(const struct target *t, struct interval x)
{
    enum target_state state = target_state(t, x);
    return state == TARGET_TOO_FEW || state == TARGET_STRADDLES;
}

/* the most threads the server ran with (a thread on every processing unit) */
static int server_threads_all(const struct run_folder *run)
{
    double workers[64];
    int n = run_values(run, GROUP_PROGRAMS, "workers", workers, 64);
    return n ? (int)workers[n - 1] : 1;
}

int targets_undecided_rows(const struct run_folder *run, long rows[], int max)
{
    int n = 0;
    struct harness_cell c[HARNESS_MAX_CELLS];
    int cells = harness_cells(run, c, HARNESS_MAX_CELLS);
    for (int i = 0; i < cells && n + 2 <= max; i++)
        if (undecided(&targets[T_HARNESS], c[i].cost)) {
            rows[n++] = c[i].plain_row;
            rows[n++] = c[i].system_row;
        }
    int threads[2] = {1, server_threads_all(run)};
    for (int k = 0; k < 2 && n + 2 <= max; k++) {
        if (k == 1 && threads[1] == 1)
            break;
        if (!undecided(&targets[k ? T_TAX_ALL : T_TAX_1], tax_ratio(run, PLAN_BASELINE, "server", threads[k])))
            continue;
        long preload = tax_row(run, PLAN_BASELINE, "server", threads[k], "preload");
        long packaged = tax_row(run, PLAN_BASELINE, "server", threads[k], "packaged");
        if (preload >= 0 && packaged >= 0) {
            rows[n++] = preload;
            rows[n++] = packaged;
        }
    }
    return n;
}

/* the preload library's cost on the server, at 1 thread and at the most threads the run has */
static void tax_targets(FILE *f, const struct run_folder *run)
{
    int all = server_threads_all(run);
    char what[512];
    target_line(f, &targets[T_TAX_1], targets[T_TAX_1].what, tax_ratio(run, PLAN_BASELINE, "server", 1));
    snprintf(what, sizeof what, "%s (%d thread%s)", targets[T_TAX_ALL].what, all, all == 1 ? "" : "s");
    target_line(f, &targets[T_TAX_ALL], what, tax_ratio(run, PLAN_BASELINE, "server", all));
}

/* One line per heap group with a plain-loop control: its costliest cell. */
static void harness_targets(FILE *f, const struct run_folder *run)
{
    struct harness_cell worst[16];
    int n = harness_worst_per_group(run, worst, 16);
    for (int i = 0; i < n; i++) {
        char what[1024];
        snprintf(what, sizeof what, "harness cost, %s (%s): system_malloc's time over the plain loop's, the "
                 "costliest of %d cells (%s; %s)", worst[i].group,
                 csv_text(&run->summary, (size_t)worst[i].plain_row, "workload"), worst[i].cells, worst[i].settings,
                 PAIRED);
        target_line(f, &targets[T_HARNESS], what, worst[i].cost);
    }
}

static long churn_row(const struct run_folder *run, const char *strategy, int threads)
{
    char where[32];
    snprintf(where, sizeof where, "workers=%d", threads);
    return run_find(run, GROUP_CHURN, strategy, "churn", where);
}

static double churn(const struct run_folder *run, const char *strategy, int threads, const char *figure)
{
    return run_median(run, churn_row(run, strategy, threads), figure);
}

/* ops/s of one churn cell over another's, with its interval */
static struct interval churn_ratio(const struct run_folder *run, const char *a, int ta, const char *b, int tb)
{
    return run_ratio(run, churn_row(run, a, ta), "ops_per_sec", churn_row(run, b, tb), "ops_per_sec");
}

/* locked_freelist's off-CPU share at 2 threads, in %, with its interval */
static struct interval off_cpu(const struct run_folder *run)
{
    static double v[256];
    int n = run_reps(run, churn_row(run, LOCKED, 2), "off_cpu_share", v, 256);
    struct interval x = interval_median(v, n);
    return (struct interval){100 * x.value, 100 * x.lo, 100 * x.hi};
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
    fputs("Each goal is met only when its figure's whole interval lies on the met side (for the harness and the "
          "preload library: the median within the goal and the interval's far end within the bound given), not "
          "met when it lies wholly on the other, and undecided otherwise.\n\n"
          "| target | measured [interval] | goal | verdict |\n|---|---|---|---|\n", f);
    double bs1 = churn(run, BLOCK, 1, "ops_per_sec"), sm1 = churn(run, PLAN_BASELINE, 1, "ops_per_sec");
    double kernel = run_calibrated(run, "kernel_cow_fault");
    const struct target *t = targets;
    target_line(f, &t[T_BS_CHURN], t[T_BS_CHURN].what, churn_ratio(run, BLOCK, 1, PLAN_BASELINE, 1));
    double ref1;
    const char *ref = best_reference(run, &ref1);
    target_line(f, &t[T_BS_REFERENCE], t[T_BS_REFERENCE].what,
                ref ? churn_ratio(run, BLOCK, 1, ref, 1) : (struct interval){NA, NA, NA});
    target_line(f, &t[T_BS_SCALING], t[T_BS_SCALING].what, churn_ratio(run, BLOCK, 2, BLOCK, 1));
    target_line(f, &t[T_LF_LOSS], t[T_LF_LOSS].what, churn_ratio(run, LOCKED, 2, LOCKED, 1));
    target_line(f, &t[T_LF_OFF_CPU], t[T_LF_OFF_CPU].what, off_cpu(run));
    static const struct {
        enum target_id id;
        const char *ratio;
    } floors[] = {{T_MPROTECT_FAULT, "mprotect_cow_over_floor"}, {T_UFFD_FAULT, "uffd_cow_over_floor"},
                  {T_UFFD_ASYNC_FAULT, "uffd_cow_async_over_floor"}};
    for (size_t i = 0; i < sizeof floors / sizeof floors[0]; i++)
        target_line(f, &targets[floors[i].id], targets[floors[i].id].what,
                    run_calibrated_interval(run, floors[i].ratio));
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
    long row = run_find(run, GROUP_CHURN, BLOCK, NULL, "workers=1");
    if (row >= 0 && strcmp(profile, "default") && strcmp(profile, "full"))
        fprintf(f, "\nThe churn targets are set on the default profile. The %s profile churns %s operations a "
                   "thread, so a fresh heap's start-up (page faults, cold caches) weighs more, and more for the "
                   "faster heap: on the reference machine block_suballoc's ratio to system_malloc read 0.1x to "
                   "0.2x lower in the quick profile than in the default one.\n",
                profile, csv_text(&run->summary, (size_t)row, "ops"));
}
