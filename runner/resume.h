/* resume.h - an interrupted bench's run folder read back, so that
 * `bench --resume DIR` goes on with it: the profile and workload filter its
 * meta.txt names, and the rows of raw.csv (with their timeline.csv samples)
 * given back to the cells planned now. */
#ifndef ALLOCLAB_RESUME_H
#define ALLOCLAB_RESUME_H

#include <stddef.h>

#include "plan.h"
#include "results.h"

/* DIR's profile and workload filter (only: "" for none), from its
 * meta.txt; 0, or -1 with why (not a bench's run folder). */
int resume_settings(const char *dir, const struct profile **profile, char *only, size_t onlylen, char *why,
                    size_t whylen);
/* DIR's rows into rows, each given the planned cell whose key it has; 0,
 * or -1 with why (a row no planned cell has: another plan, machine or
 * build; a file that does not read). */
int resume_rows(const char *dir, const struct cell_spec *cells, int ncells, struct row_set *rows, char *why,
                size_t whylen);

#endif
