#ifndef ALLOCLAB_FLOORHEAP_H
#define ALLOCLAB_FLOORHEAP_H
#include "topo.h"
/* ops/s of the churn workload (1 thread, `ops` operations) on a heap that
 * does nothing but pop and push: the most any strategy could reach; -1 on failure */
double churn_floor_ops_per_sec(struct topo *tp, long ops);
#endif
