/* straddle.h - more repetitions for the cells whose interval straddles a
 * verdict's threshold, after a bench's rounds, within a stated budget. */
#ifndef ALLOCLAB_STRADDLE_H
#define ALLOCLAB_STRADDLE_H

#include <stdbool.h>
#include <stdio.h>

#include "cell.h"
#include "results.h"

/* At most `reps` more repetitions a cell, none started after `seconds`. */
struct straddle_budget {
    int reps;
    double seconds;
};

/* The budget of a profile ("default"); the test profile's for an unknown one. */
struct straddle_budget straddle_budget(const char *profile);
/* The rule and the budget, as meta.txt states them (one line). */
void straddle_describe(FILE *f, const char *profile);

/* Which of cells[0..ncells) a verdict's interval straddles its threshold on,
 * judged on the run folder dir as written from rows (each cell's summary
 * line follows its rows' order): want[i] set; how many. */
int straddle_cells(const char *dir, const struct row_set *rows, const struct cell_spec *cells, int ncells,
                   bool *want);

/* One more repetition of cells[i], its row added and the files written:
 * 0, or negative to stop (interrupted, or the files cannot be written). */
typedef int (*straddle_rep_fn)(void *arg, int i);

/* Rounds of one more repetition for each cell a verdict's interval
 * straddles, judged again after each round, until none straddles or the
 * profile's budget is spent. 0, or what `rep` returned to stop. */
int straddle_extend(const char *dir, const char *profile, const struct row_set *rows, const struct cell_spec *cells,
                    int ncells, straddle_rep_fn rep, void *arg);

#endif
