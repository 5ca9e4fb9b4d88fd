/* topo.h - where workers run: the hwloc topology, restricted to the
 * processing units this process may use (taskset, cgroups, containers). */
#ifndef ALLOCLAB_TOPO_H
#define ALLOCLAB_TOPO_H

#include <hwloc.h>
#include <stdbool.h>

#include "allocator.h"

enum pin_mode { PIN_COMPACT, PIN_SCATTER, PIN_NONE };

struct topo {
    hwloc_topology_t t;
    int pus; /* processing units this process may use */
};

int topo_init(struct topo *tp, char err[ALLOC_ERR_LEN]);
void topo_destroy(struct topo *tp);
/* One single-PU cpuset per worker (NULL entries with PIN_NONE). Refuses more
 * workers than PUs unless oversubscribe. Caller frees with topo_plan_free. */
int topo_plan(struct topo *tp, enum pin_mode mode, int workers, bool oversubscribe, hwloc_bitmap_t *sets,
              char err[ALLOC_ERR_LEN]);
void topo_plan_free(hwloc_bitmap_t *sets, int workers);
/* Bind the calling thread (or whole process) to set; 0 or -1. */
int topo_bind(struct topo *tp, hwloc_const_bitmap_t set, bool whole_process);
/* The OS index of the PU the caller last ran on, or -1. */
int topo_last_pu(struct topo *tp, bool whole_process);
const char *pin_mode_name(enum pin_mode m);

#endif
