/* c2.h - the documents' own benchmark (claim C2), measured into c2.csv. */
#ifndef ALLOCLAB_C2_H
#define ALLOCLAB_C2_H

#include "analysis/strategy_names.h"

/* c2.csv's variants, a row each in this order: the documents' own two
 * (both copy every int), then real copy-on-write by two strategies */
#define C2_VARIANTS 4
#define C2_VARIANT_NAMES {"deep_copy", "simulated_cow", STRATEGY_FORK_COW, STRATEGY_MPROTECT_COW}
/* the documents' ratio, 1.8 s over 0.4 s: claim C2's threshold */
#define C2_CLAIMED (1.8 / 0.4)

/* reps rounds (at least enough for an interval), then up to `more` while
 * the verdict's interval straddles the documents' ratio; 0, or -1 when
 * c2.csv could not be written */
int c2_measure(const char *dir, int reps, int more);
#endif
