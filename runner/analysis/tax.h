/* tax.h - what liballoclab.so costs a program: a strategy's wall time
 * through the preload library over the same program run as its users run
 * it (via=packaged), for the programs workload's cells. */
#ifndef ALLOCLAB_TAX_H
#define ALLOCLAB_TAX_H

#include <stdio.h>

#include "runfolder.h"

/* The packaged cell of a via=preload row's program, strategy and workers, or -1 */
long tax_packaged_row(const struct run_folder *run, long preload_row);
/* The summary row of a program's cell through liballoclab.so (via "preload") or as packaged; -1: none. */
long tax_row(const struct run_folder *run, const char *strategy, const char *program, int workers, const char *via);
/* strategy's wall time through liballoclab.so over as packaged, on program
 * with that many workers (the server: threads), with its 95% interval over
 * both cells' repetitions; NA where either cell is missing */
struct interval tax_ratio(const struct run_folder *run, const char *strategy, const char *program, int workers);
/* "1.02x [0.99, 1.05]", "1.02x [too few repetitions]" or "NA" */
void tax_text(struct interval x, char *buf, size_t len);
/* the table of every program and strategy run both ways, for the report */
void tax_write(FILE *f, const struct run_folder *run);

#endif
