/* calibrate.h - this machine's own limits, into calibrate.csv. */
#ifndef ALLOCLAB_CALIBRATE_H
#define ALLOCLAB_CALIBRATE_H
#include <stddef.h>

#include "cell.h"

/* the workload whose loop the churn floor measures */
#define CALIBRATE_FLOOR_WORKLOAD "churn"

/* Measure the machine's limits into a calibrate.csv at path, copying and
 * faulting `size` bytes, the median of `reps`; the churn floor runs on the
 * planned cells' one-thread churn cell. 0 or -1. */
int calibrate_write(const char *path, size_t size, int reps, const struct cell_spec *cells, int ncells);
#endif
