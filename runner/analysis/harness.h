/* harness.h - the harness's own cost per heap group: system_malloc's cell
 * over the plain-loop control beside it (harness.c). */
#ifndef ALLOCLAB_HARNESS_H
#define ALLOCLAB_HARNESS_H
#include <stdio.h>

#include "interval.h"
#include "runfolder.h"

#define HARNESS_MAX_CELLS 64

struct harness_cell {
    const char *group;
    long plain_row, system_row; /* summary rows */
    char settings[512];         /* what tells the cell apart in its group */
    struct interval cost;       /* system_malloc's time over the plain loop's */
    int cells;                  /* harness_worst_per_group: how many cells the group had */
};

/* Every plain_loop cell that ran, with system_malloc's beside it. */
int harness_cells(const struct run_folder *run, struct harness_cell out[], int max);
/* Per group, the cell where the harness cost most. */
int harness_worst_per_group(const struct run_folder *run, struct harness_cell out[], int max);
/* The report's section: every cell's cost. Nothing when no control ran. */
void harness_write(FILE *f, const struct run_folder *run);
#endif
