/*
 * harness.c - what the harness adds to a timed phase, measured.
 *
 * Each group of a workload with a plain loop has a plain_loop cell beside
 * system_malloc's (cellspec.c): the same operations on the C library's
 * malloc and free, called directly, with no counters, stamps or sampling.
 * system_malloc's time over the plain loop's is then what alloclab itself
 * costs in that group: the latency stamps and the choice of calls (a library
 * heap's loop calls the library directly: allocator.library_calls); the
 * tags every block carries are in both. Ratios of ops/s (the control's
 * over system_malloc's), repetition by repetition: each pair ran in the
 * same round (run_paired_ratio), so the machine's drift moves both sides.
 */
#include "harness.h"

#include <math.h>
#include <string.h>

#include "cell.h"
#include "plan.h"

int harness_cells(const struct run_folder *run, struct harness_cell out[], int max)
{
    const struct csv *s = &run->summary;
    int n = 0;
    for (size_t i = 0; i < s->nrows && n < max; i++) {
        if (strcmp(csv_text(s, i, "strategy"), PLAIN_LOOP) || strcmp(csv_text(s, i, "status"), "ok"))
            continue;
        char where[512];
        run_settings(s, i, where, sizeof where);
        const char *group = csv_text(s, i, "group");
        long sys = run_find(run, group, PLAN_BASELINE, csv_text(s, i, "workload"), where);
        if (sys < 0)
            continue;
        out[n] = (struct harness_cell){.group = group, .plain_row = (long)i, .system_row = sys,
                                       .cost = run_paired_ratio(run, (long)i, "ops_per_sec", sys, "ops_per_sec")};
        snprintf(out[n].settings, sizeof out[n].settings, "%s", where);
        n++;
    }
    return n;
}

int harness_worst_per_group(const struct run_folder *run, struct harness_cell out[], int max)
{
    struct harness_cell all[HARNESS_MAX_CELLS];
    int n = harness_cells(run, all, HARNESS_MAX_CELLS), groups = 0;
    for (int i = 0; i < n; i++) {
        int g = 0;
        while (g < groups && strcmp(out[g].group, all[i].group))
            g++;
        if (g == groups && groups == max)
            continue;
        if (g == groups) {
            out[groups++] = all[i];
            out[g].cells = 1;
            continue;
        }
        int cells = out[g].cells + 1;
        if (isnan(out[g].cost.value) || all[i].cost.value > out[g].cost.value)
            out[g] = all[i];
        out[g].cells = cells;
    }
    return groups;
}

void harness_write(FILE *f, const struct run_folder *run)
{
    struct harness_cell c[HARNESS_MAX_CELLS];
    int n = harness_cells(run, c, HARNESS_MAX_CELLS);
    if (!n)
        return;
    fputs("## harness cost\n\nWhat alloclab itself adds to a timed heap phase: system_malloc's cell (glibc's malloc "
          "and free called from the workload's loop, with the latency stamps) against `plain_loop`, the same operations on the C "
          "library's malloc and free called directly in a plain loop, with no counters, stamps or sampling. "
          "The ratio is system_malloc's time over the plain loop's (its ops/s over system_malloc's): the median "
          "of the ratios of pairs of repetitions, one of each cell, that ran in the same round, with a 95% "
          "bootstrap interval over the pairs (a machine whose speed moves from run to run moves both sides of a "
          "pair); 1.00x is no cost at all. Memory figures that need sampling (a library's reserved bytes) come "
          "from the untimed memory pass, rep 0.\n\n", f);
    fputs("| group | workload | cell | plain_loop ops/s | system_malloc ops/s | harness cost |\n"
          "|---|---|---|---|---|---|\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "| %s | %s | %s | %.3g | %.3g | ", c[i].group,
                csv_text(&run->summary, (size_t)c[i].plain_row, "workload"), c[i].settings,
                run_median(run, c[i].plain_row, "ops_per_sec"), run_median(run, c[i].system_row, "ops_per_sec"));
        if (isnan(c[i].cost.value))
            fputs("NA |\n", f);
        else if (isnan(c[i].cost.lo))
            fprintf(f, "%.3fx (too few repetitions for an interval) |\n", c[i].cost.value);
        else
            fprintf(f, "%.3fx [%.3f-%.3f] |\n", c[i].cost.value, c[i].cost.lo, c[i].cost.hi);
    }
    fputc('\n', f);
}
