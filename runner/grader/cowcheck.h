/* cowcheck.h - the grader of a copy-on-write strategy (assignment level 4):
 * correctness and the two figures an adaptive granule must reach. */
#ifndef ALLOCLAB_COWCHECK_H
#define ALLOCLAB_COWCHECK_H
#include <stdbool.h>

#include "allocator.h"

/* Prints the table and the verdict (machine-readable lines with grade);
 * EXIT_OK when every check was correct, else EXIT_MEASURE. */
int cowcheck_main(const struct allocator *a, const char *options, bool grade);
#endif
