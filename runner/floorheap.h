#ifndef ALLOCLAB_FLOORHEAP_H
#define ALLOCLAB_FLOORHEAP_H
#include "cell.h"
#define CHURN_FLOOR_RUNS 3
/* ops/s of a churn cell (its knobs as given) on a heap that does nothing but
 * pop and push, CHURN_FLOOR_RUNS times: the most any strategy could reach is
 * the best of them. How many runs succeeded. */
int churn_floor_ops_per_sec(struct topo *tp, const struct cell_spec *churn, double out[CHURN_FLOOR_RUNS]);
#endif
