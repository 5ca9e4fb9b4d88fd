/*
 * straddle.c - before a verdict says "inconclusive", more repetitions.
 *
 * After a bench's rounds, the claims are judged on the run folder as it
 * stands; each judge notes the cells whose interval straddled a threshold
 * it reads (claims.h: undecided), and so do the targets whose goal is a
 * ratio of two cells of the run (targets.h). Those cells get one more repetition each,
 * in planned order, and the claims are judged again, round after round,
 * until no interval straddles or the profile's budget is spent: so many
 * more repetitions a cell, and no new one started after so many seconds.
 * An interval that still straddles then says "inconclusive" on the
 * repetitions there are. meta.txt states the budget.
 */
#include "straddle.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/claims.h"
#include "analysis/runfolder.h"
#include "analysis/targets.h"
#include "support/os.h"

static const struct {
    const char *profile;
    struct straddle_budget budget;
} budgets[] = {
    {"test", {1, 5}},
    {"quick", {4, 60}},
    {"default", {6, 30}},
    {"full", {6, 120}},
};

struct straddle_budget straddle_budget(const char *profile)
{
    for (size_t i = 0; i < sizeof budgets / sizeof *budgets; i++)
        if (!strcmp(budgets[i].profile, profile))
            return budgets[i].budget;
    return budgets[0].budget;
}

void straddle_describe(FILE *f, const char *profile)
{
    struct straddle_budget b = straddle_budget(profile);
    fprintf(f, "more repetitions: a cell whose interval straddles a verdict's threshold (or the goal of a target "
               "that compares two cells: the harness cost, the preload tax) gets one more a round, "
               "judged again after each, up to %d more a cell, none started after %.0f s (C2's benchmark: up to %d "
               "more rounds)\n",
            b.reps, b.seconds, b.reps);
}

/* The cell index of each summary line: the k-th distinct spec of the rows,
 * as results_write_summary writes them (rows sorted in planned order). */
static int summary_cells(const struct row_set *rows, const struct cell_spec *cells, int *out, int max)
{
    int n = 0;
    for (size_t k = 0; k < rows->n && n < max; k++)
        if (k == 0 || rows->rows[k].spec != rows->rows[k - 1].spec)
            out[n++] = (int)(rows->rows[k].spec - cells);
    return n;
}

/* Marks the cell of summary line `line`; 1 when it was not marked yet. */
static int want_line(bool *want, const int *cell_of, int nlines, int ncells, long line)
{
    int i = line >= 0 && line < nlines ? cell_of[line] : -1;
    if (i < 0 || i >= ncells || want[i])
        return 0;
    want[i] = true;
    return 1;
}

int straddle_cells(const char *dir, const struct row_set *rows, const struct cell_spec *cells, int ncells,
                   bool *want)
{
    static struct run_folder run;
    memset(want, 0, (size_t)ncells * sizeof *want);
    if (run_load(dir, &run) != 0)
        return 0;
    struct judgement *claims = claims_judge(&run);
    size_t nclaims = claims ? claims_count() : 0;
    long target_rows[64];
    int ntarget = targets_undecided_rows(&run, target_rows, 64);
    size_t nsummary = run.summary.nrows;
    run_free(&run);
    int *cell_of = calloc(rows->n + 1, sizeof *cell_of);
    int nlines = cell_of ? summary_cells(rows, cells, cell_of, (int)rows->n + 1) : 0, n = 0;
    for (size_t c = 0; c < nclaims && (size_t)nlines == nsummary; c++)
        for (int k = 0; k < claims[c].nundecided; k++)
            n += want_line(want, cell_of, nlines, ncells, claims[c].undecided[k]);
    for (int k = 0; k < ntarget && (size_t)nlines == nsummary; k++)
        n += want_line(want, cell_of, nlines, ncells, target_rows[k]);
    free(cell_of);
    free(claims);
    return n;
}

int straddle_extend(const char *dir, const char *profile, const struct row_set *rows, const struct cell_spec *cells,
                    int ncells, straddle_rep_fn rep, void *arg)
{
    struct straddle_budget b = straddle_budget(profile);
    bool *want = calloc((size_t)ncells + 1, sizeof *want);
    int *extra = calloc((size_t)ncells + 1, sizeof *extra), rc = 0, cells_extended = 0, added = 0;
    uint64_t started = os_now_ns();
    bool out_of_time = false;
    while (want && extra && !out_of_time && rc == 0 && straddle_cells(dir, rows, cells, ncells, want) > 0) {
        int ran = 0;
        for (int i = 0; i < ncells && rc == 0; i++) {
            if (!want[i] || extra[i] >= b.reps)
                continue;
            if ((double)(os_now_ns() - started) / 1e9 > b.seconds) {
                out_of_time = true;
                break;
            }
            rc = rep(arg, i);
            cells_extended += extra[i] == 0;
            extra[i]++, added++, ran++;
        }
        if (!ran)
            break; /* every cell still straddling has had its budget */
    }
    if (added)
        fprintf(stderr, "alloclab: %d more repetitions for %d cells whose interval straddled a verdict's threshold "
                        "(%.0f s; budget: %d a cell, %.0f s)\n",
                added, cells_extended, (double)(os_now_ns() - started) / 1e9, b.reps, b.seconds);
    free(want);
    free(extra);
    return rc;
}
