/* placement.h - where a run's workers ran, read back (the report): the
 * NUMA nodes that held them, per group and worker count. */
#ifndef ALLOCLAB_PLACEMENT_H
#define ALLOCLAB_PLACEMENT_H

#include <stdio.h>

#include "runfolder.h"

/* One sentence on a one-node run; on more nodes, a table of the nodes that
 * held each cell's workers. Nothing for a run without the nodes column. */
void placement_write(FILE *f, const struct run_folder *run);
#endif
