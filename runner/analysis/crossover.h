/* crossover.h - where copy-on-write stops paying, from the write-fraction sweep. */
#ifndef ALLOCLAB_CROSSOVER_H
#define ALLOCLAB_CROSSOVER_H
#include "runfolder.h"
/* The smallest write fraction from which a copy-on-write strategy is no
 * faster than the best eager strategy, or NA when it never is. */
double crossover_fraction(const struct run_folder *run, const char *cow);
#endif
