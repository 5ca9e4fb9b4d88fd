/* calibrate.h - this machine's own limits, into calibrate.csv. */
#ifndef ALLOCLAB_CALIBRATE_H
#define ALLOCLAB_CALIBRATE_H
#include <stddef.h>

#include "cell.h"

/* the workload whose loop the churn floor measures */
#define CALIBRATE_FLOOR_WORKLOAD "churn"

#include <stdbool.h>

#define CALIBRATE_SAMPLES 5 /* after one warm-up */

/* Measure the machine's limits into a calibrate.csv at path, copying and
 * faulting `size` bytes; the churn floor runs on the planned cells'
 * one-thread churn cell. recheck_only: the figures a bench measures again at
 * its end, to see the machine drift (no fork slope, no churn floor). 0 or -1. */
int calibrate_write(const char *path, size_t size, const struct cell_spec *cells, int ncells, bool recheck_only);
/* One sample of first_touch_fault: ns to write one byte per fresh 4 KiB
 * page of `size` bytes (THP off); NA when it cannot map them. */
double calibrate_first_touch_ns(size_t size);
#endif
