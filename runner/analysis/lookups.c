/*
 * lookups.c - read_heavy over lookups per copy, against its control.
 *
 * The control (view=none) does the same lookups on the shared original with
 * no view: its wall time is the lookups alone. Each strategy is charged its
 * wall time over the control's, split into what it paid up front
 * (provisioning: an eager copy, or fork_cow's fork) and what it paid later
 * (its work over the control's work: first accesses to inherited or aliased
 * pages, copies on write). The speed-up that claim C1 is about is the best
 * eager copy's wall time over the best copy-on-write strategy's, at each
 * count of lookups per copy: few lookups from a snapshot (a worker forked
 * per request) leave the copy alone on the bill, millions dilute it.
 */
#include "lookups.h"

#include <math.h>
#include <string.h>

#include "allocator.h"
#include "groups.h"
#include "plan.h"

static long row_at(const struct run_folder *run, const char *strategy, double reads, const char *view)
{
    char where[96];
    snprintf(where, sizeof where, "reads=%.17g view=%s", reads, view);
    return run_find(run, GROUP_LOOKUPS, strategy, "read_heavy", where);
}

/* the strategy of a kind with the smallest median wall time at `reads` */
static long fastest(const struct run_folder *run, enum strategy_kind kind, double reads)
{
    const char *names[RUN_MAX_STRATEGIES];
    int n = run_strategies(run, kind, names, RUN_MAX_STRATEGIES);
    long best = -1;
    for (int k = 0; k < n; k++) {
        long row = row_at(run, names[k], reads, "private");
        if (row >= 0 && !isnan(run_median(run, row, "wall_ns")) &&
            (best < 0 || run_median(run, row, "wall_ns") < run_median(run, best, "wall_ns")))
            best = row;
    }
    return best;
}

int lookups_points(const struct run_folder *run, struct lookups_point out[LOOKUPS_MAX_POINTS])
{
    double reads[LOOKUPS_MAX_POINTS];
    int n = run_values(run, GROUP_LOOKUPS, "reads", reads, LOOKUPS_MAX_POINTS), kept = 0;
    for (int i = 0; i < n; i++) {
        struct lookups_point *p = &out[kept];
        p->reads = reads[i];
        p->control = row_at(run, PLAN_BASELINE, reads[i], "none");
        p->eager = fastest(run, KIND_EAGER, reads[i]);
        p->cow = fastest(run, KIND_COPY_ON_WRITE, reads[i]);
        p->speedup = run_ratio(run, p->eager, "wall_ns", p->cow, "wall_ns");
        kept += p->eager >= 0 && p->cow >= 0;
    }
    return kept;
}

struct lookups_split lookups_split(const struct run_folder *run, long row, long control)
{
    double ms = 1e6;
    return (struct lookups_split){
        .over = (run_median(run, row, "wall_ns") - run_median(run, control, "wall_ns")) / ms,
        .provision = (run_median(run, row, "provision_ns") - run_median(run, control, "provision_ns")) / ms,
        .deferred = (run_median(run, row, "work_ns") - run_median(run, control, "work_ns")) / ms,
        .lookups = run_median(run, control, "work_ns") / ms,
    };
}

static void split_cell(FILE *f, const struct run_folder *run, long row, long control)
{
    if (row < 0) {
        fputs(" - |", f);
        return;
    }
    struct lookups_split s = lookups_split(run, row, control);
    fprintf(f, " %+.1f = %.1f + %.1f |", s.over, s.provision, s.deferred);
}

void lookups_notes(FILE *f, const struct run_folder *run)
{
    struct lookups_point p[LOOKUPS_MAX_POINTS];
    int n = lookups_points(run, p);
    if (!n)
        return;
    const char *all[RUN_MAX_STRATEGIES], *names[RUN_MAX_STRATEGIES];
    int nall = run_strategies(run, KIND_ANY, all, RUN_MAX_STRATEGIES), ns = 0;
    for (int k = 0; k < nall; k++) /* those the group ran (not the reference heaps) */
        if (row_at(run, all[k], p[0].reads, "private") >= 0)
            names[ns++] = all[k];
    fputs("Charged over the control, in ms: `over = provisioning + deferred`, medians (the parts need not add up "
          "exactly: the wall time also holds the workers' start). The control is the same lookups on the shared "
          "original, with no view.\n\n| lookups per worker | control ms |", f);
    for (int k = 0; k < ns; k++)
        fprintf(f, " %s |", names[k]);
    fputs(" best eager / best copy-on-write |\n|---|---|", f);
    for (int k = 0; k < ns; k++)
        fputs("---|", f);
    fputs("---|\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "| %.0f | %.1f |", p[i].reads, run_median(run, p[i].control, "wall_ns") / 1e6);
        for (int k = 0; k < ns; k++)
            split_cell(f, run, row_at(run, names[k], p[i].reads, "private"), p[i].control);
        const char *e = csv_text(&run->summary, (size_t)p[i].eager, "strategy");
        const char *c = csv_text(&run->summary, (size_t)p[i].cow, "strategy");
        if (isnan(p[i].speedup.lo))
            fprintf(f, " %.1fx (%s / %s) |\n", p[i].speedup.value, e, c);
        else
            fprintf(f, " %.1fx [%.1f-%.1f] (%s / %s) |\n", p[i].speedup.value, p[i].speedup.lo, p[i].speedup.hi, e,
                    c);
    }
    fputc('\n', f);
}
