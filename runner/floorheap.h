#ifndef ALLOCLAB_FLOORHEAP_H
#define ALLOCLAB_FLOORHEAP_H
#include "cell.h"
/* ops/s of a churn cell (its knobs as given) on a heap that does nothing but
 * pop and push: the most any strategy could reach; NA on failure */
double churn_floor_ops_per_sec(struct topo *tp, const struct cell_spec *churn);
#endif
